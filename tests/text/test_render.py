"""The text pipeline (adapters/text): markdown subset, plain text, the allowlist."""

from __future__ import annotations

import html
import json
import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from frontdesk.adapters.text import (
    ALLOWED_TAGS,
    LINK_REL,
    MAX_SOURCE_CHARS,
    TextError,
    _render,
    clean,
    render,
    renders_fast,
)
from frontdesk.adapters.text.plain import may_hold_links
from frontdesk.adapters.wire import Endpoint, WireError, parse_frame


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's parser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_only_allowlisted(html: str) -> None:
    for tag, attrs in _Tags(html).found:
        assert tag in ALLOWED_TAGS, (tag, html)
        if tag != "a":
            assert attrs == {}, (tag, attrs)
            continue
        assert set(attrs) == {"href", "target", "rel"}, attrs
        assert (attrs["rel"], attrs["target"]) == (LINK_REL, "_blank"), attrs
        href = attrs["href"] or ""
        assert href.split(":", 1)[0].lower() in {"http", "https", "mailto"}, href


def test_the_markdown_subset_renders() -> None:
    got = render("Hi **bold** and *it* `x<y`\n- one\n- two\n\n1. first\n2. second", "markdown")
    assert got.html == (
        "<p>Hi <strong>bold</strong> and <em>it</em> <code>x&lt;y</code></p>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>"
    )
    assert got.text == "Hi bold and it x<y\n\n- one\n- two\n\n1. first\n2. second"
    assert got.source.startswith("Hi **bold**") and got.format == "markdown"


def test_nested_markdown_stays_within_the_allowlist() -> None:
    got = render("***all **of** it*** and - [**bold link**](https://e.org/x)", "markdown")
    assert "<em><strong>all <strong>of</strong> it</strong></em>" in got.html
    assert '<strong>bold link</strong></a>' in got.html
    assert got.text == "all of it and - bold link (https://e.org/x)"
    assert_only_allowlisted(got.html)


def test_a_line_break_is_kept() -> None:
    assert render("one\ntwo", "markdown").html == "<p>one<br>two</p>"
    assert render("one\ntwo", "plain").html == "one<br>two"


@pytest.mark.parametrize("format", ["plain", "markdown"])
def test_links_get_rel_and_target(format: str) -> None:
    got = render("see https://example.com/a?b=1&c=2 now", format)
    assert (
        f'<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="{LINK_REL}">'
        "https://example.com/a?b=1&amp;c=2</a>"
    ) in got.html
    assert got.text == "see https://example.com/a?b=1&c=2 now"


@pytest.mark.parametrize("format", ["plain", "markdown"])
@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">x</p>',
        "<!-- comment --><svg onload=alert(1)>",
    ],
)
def test_raw_html_is_text_never_markup(format: str, hostile: str) -> None:
    got = render(f"before {hostile} after", format)
    assert_only_allowlisted(got.html)
    assert "&lt;" in got.html  # shown as typed
    assert "<script" not in got.html and "<img" not in got.html and "<iframe" not in got.html
    assert " onerror=" not in got.html.split("&lt;")[0]  # no attribute outside the text


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](vbscript:msgbox)",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](/relative/path)",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
    ],
)
def test_a_link_of_another_scheme_is_not_a_link(link: str) -> None:
    got = render(link, "markdown")
    assert "<a" not in got.html and "href" not in got.html
    assert_only_allowlisted(got.html)


def test_mailto_and_bare_addresses_are_links() -> None:
    md = render("[write](mailto:help@example.com)", "markdown")
    assert '<a href="mailto:help@example.com"' in md.html
    plain = render("mail help@example.com or www.example.org", "plain")
    assert '<a href="mailto:help@example.com"' in plain.html
    assert '<a href="http://www.example.org"' in plain.html


def test_visitor_text_is_plain_but_its_urls_are_links() -> None:
    got = render("<b>x</b> **not bold** https://example.com", "plain")
    assert got.html.startswith("&lt;b&gt;x&lt;/b&gt; **not bold** <a href=")
    assert got.text == got.source == "<b>x</b> **not bold** https://example.com"
    assert got.plain == ""  # the journal keeps no copy of a plain form equal to the source


def test_what_the_toolbar_does_not_write_stays_literal() -> None:
    got = render("# title\n> quote\n![img](https://e.org/i.png)\n| a | b |", "markdown")
    assert_only_allowlisted(got.html)
    assert "<h1" not in got.html and "<img" not in got.html and "<blockquote" not in got.html


def test_the_sanitiser_alone_unwraps_refused_links() -> None:
    html = ('<a href="javascript:x">a</a> <a href="/r">b</a> '
            '<a href="https://e.org" onclick="x">c</a>')
    assert clean(html) == (
        f'a b <a href="https://e.org" target="_blank" rel="{LINK_REL}">c</a>'
    )


def test_a_long_hostile_input_renders_in_bounded_time() -> None:
    source = ("**a** [x](https://e.org) `c` *" * 300 + "[" * 500 + "*" * 500)[:10_000]
    assert len(source) == 10_000
    start = time.perf_counter()
    got = render(source, "markdown")
    assert time.perf_counter() - start < 2.0
    assert_only_allowlisted(got.html)
    assert got.html.count("<strong>a</strong>") >= 250


def test_bad_sources_are_refused_naming_what_came() -> None:
    with pytest.raises(TextError, match="expected a format among plain, markdown, got 'html'"):
        render("x", "html")
    with pytest.raises(TextError, match=f"at most {MAX_SOURCE_CHARS} characters"):
        render("x" * (MAX_SOURCE_CHARS + 1), "markdown")
    with pytest.raises(TextError, match="lone surrogates"):
        render("a\ud800", "markdown")


def test_lone_surrogates_are_refused_earlier_at_the_wire() -> None:
    with pytest.raises(WireError) as caught:
        parse_frame("operator", '{"type":"say","ref":"m-1","dialog":"d-1","text":"a\\ud800",'
                    '"format":"markdown"}')
    assert caught.value.code == "bad_field" and "say.text" in caught.value.message


@pytest.mark.parametrize(
    ("endpoint", "format", "expected"),
    [
        ("visitor", "markdown", "say.format: expected one of plain, got \"markdown\""),
        ("operator", "html", "say.format: expected one of plain, markdown, got \"html\""),
        ("operator", 3, "say.format: expected one of plain, markdown, got 3"),
    ],
)
def test_a_bad_format_is_a_bad_field(endpoint: Endpoint, format: object, expected: str) -> None:
    text = json.dumps({"type": "say", "ref": "m-1", "dialog": "d-1", "text": "x",
                       "format": format})
    with pytest.raises(WireError) as caught:
        parse_frame(endpoint, text)
    assert caught.value.code == "bad_field" and caught.value.message == expected


def test_rendering_is_deterministic() -> None:
    source = "**b** https://e.org [l](mailto:a@b.co)\n- x"
    first = render(source, "markdown")
    _render.cache_clear()
    assert render(source, "markdown") == first


@given(st.text(alphabet="ab.:@/ w,x-3\n", max_size=40)
       | st.sampled_from(["example.com", "a@b.co", "http://x.org", "go to www.x.org!", "e.g. x"]))
@settings(max_examples=300, deadline=None)
def test_the_fast_pretest_never_misses_a_link(source: str) -> None:
    if LinkifyIt().test(source):
        assert may_hold_links(source), source
    if not may_hold_links(source):
        assert render(source, "plain").html == html.escape(source, quote=False).replace(
            "\n", "<br>")


def test_only_plain_text_without_links_renders_in_line() -> None:
    assert renders_fast("Hello, I need help. Where is it?", "plain")
    assert not renders_fast("see example.com", "plain")
    assert not renders_fast("**hi**", "markdown")


_PIECES = st.sampled_from([
    "**", "*", "_", "`", "[", "]", "(", ")", "<", ">", "\n", "\n\n", "- ", "1. ", " ", "x",
    "https://e.org/a", "javascript:alert(1)", "JAVASCRIPT:", "data:text/html,", "mailto:a@b.co",
    "<script>", "<img src=x onerror=alert(1)>", '"', "'", "&", "&#106;avascript:", "www.e.org",
    "<a href=", "onerror=", "\\", "!", "#", "|", "> ",
])


@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["plain", "markdown"]))
@settings(max_examples=300, deadline=None)
def test_whatever_the_source_the_html_is_within_the_allowlist(source: str, format: str) -> None:
    got = render(source, format)
    assert_only_allowlisted(got.html)  # tags, attributes, schemes, rel and target
