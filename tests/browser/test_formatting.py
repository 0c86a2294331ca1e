"""Formatted answers end to end: toolbar and Ctrl+K in the console, bold and links in the widget.

The ``watch`` fixture fails the test on any script error, console error (a CSP
violation is one) or alert in any page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

REL = "noopener noreferrer nofollow"


def write_formatted_answer(ann: Page, url: str) -> None:
    """Bold from the toolbar, italic by Ctrl+I, a link by Ctrl+K (a bad URL refused first)."""
    box = ann.get_by_test_id("message-input")
    box.fill("Thanks, ")
    box.press("End")
    ann.get_by_role("button", name="Bold (Ctrl+B)").click()  # inserts **bold text**, selected
    box.press_sequentially("this is bold")
    box.press("End")
    box.press_sequentially(" and ")
    box.press("Control+i")
    box.press_sequentially("this italic")
    box.press("End")
    box.press_sequentially(" — see ")
    box.press("Control+k")
    dialog = ann.get_by_test_id("link-dialog")
    expect(dialog).to_be_visible()
    expect(ann.get_by_test_id("link-text")).to_be_focused()
    ann.get_by_test_id("link-text").fill("our start page")
    ann.get_by_test_id("link-url").fill("javascript:alert(1)")
    ann.get_by_test_id("link-url").press("Enter")
    expect(ann.get_by_test_id("link-error")).to_contain_text("Expected an http, https or mailto")
    ann.get_by_test_id("link-url").fill(url)
    ann.get_by_test_id("link-url").press("Enter")
    expect(dialog).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).to_have_value(
        f"Thanks, **this is bold** and *this italic* — see [our start page]({url})")


def test_the_operator_formats_an_answer_and_the_visitor_sees_bold_and_a_link(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "I need help")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["I need help"])

    write_formatted_answer(ann, server.url("/"))
    ann.get_by_test_id("message-input").press("Enter")

    # the visitor's widget: a <strong>, an <em> and a working link that opens in a new tab
    said = ui.widget_texts(vera).last
    expect(said).to_have_text("Thanks, this is bold and this italic — see our start page")
    expect(said.locator("strong")).to_have_text("this is bold")
    expect(said.locator("em")).to_have_text("this italic")
    link = said.get_by_role("link", name="our start page")
    expect(link).to_have_attribute("href", server.url("/"))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", REL)
    with vera.context.expect_page() as opened:
        link.click()
    page: Page = opened.value
    page.wait_for_load_state()
    assert page.url == server.url("/")
    assert page.evaluate("window.opener") is None  # noopener: it cannot reach the chat
    page.close()
    # the console shows the same rendering
    mine = ui.console_texts(ann).last
    expect(mine.locator("strong")).to_have_text("this is bold")
    expect(mine.get_by_role("link", name="our start page")).to_have_attribute("rel", REL)

    # the visitor's markup is text, its bare URL a link
    ui.widget_say(vera, f"<b>x</b> **y** {server.url('/demo')}")
    heard = ui.console_texts(ann).last
    expect(heard).to_have_text(f"<b>x</b> **y** {server.url('/demo')}")
    expect(heard.get_by_role("link")).to_have_attribute("href", server.url("/demo"))
    expect(heard.get_by_role("link")).to_have_attribute("target", "_blank")
    assert heard.locator("b, strong").count() == 0
    own = ui.widget_texts(vera).last
    expect(own.get_by_role("link")).to_have_attribute("rel", REL)
    assert own.locator("b, strong").count() == 0
    assert watch.problems == [] and watch.dialogs == []


def test_the_toolbar_is_keyboard_usable_and_esc_closes_the_link_dialog(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.tab(ann, "Vera").click()
    bar = ann.get_by_role("toolbar", name="Formatting")
    names = ["Bold (Ctrl+B)", "Italic (Ctrl+I)", "Bulleted list", "Numbered list",
             "Link (Ctrl+K)", "Inline code"]
    for name in names:
        expect(bar.get_by_role("button", name=name)).to_be_visible()

    box = ann.get_by_test_id("message-input")
    box.fill("first\nsecond")
    box.press("Control+a")
    bar.get_by_role("button", name="Numbered list").click()
    expect(box).to_have_value("1. first\n2. second")
    box.press("End")
    box.press("Control+k")
    expect(ann.get_by_test_id("link-dialog")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.get_by_test_id("link-dialog")).to_be_hidden()
    expect(box).to_be_focused()
    box.press("Enter")
    said = ui.widget_texts(vera).last
    expect(said.locator("ol > li")).to_have_text(["first", "second"])
    assert watch.problems == [] and watch.dialogs == []


HOSTILE = (
    '<img src=x onerror=alert(1)><a href="javascript:alert(2)">js</a><script>alert(3)</script>'
    '<b>b</b><p style="color:red" onclick="alert(4)">p</p><a href="https://e.org/" '
    'onclick="alert(5)" rel="opener">ok</a><svg onload=alert(6)></svg>'
)


def test_the_pages_recheck_the_allowlist_whatever_html_comes(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    """Defence in depth: even HTML the server would never send is rebuilt to the allowlist.

    Chromium reports an inline handler or style attribute met while parsing (even in
    a DOMParser document, where nothing runs) as a CSP violation: the strict CSP is a
    second guard. Those reports are expected here, and only those."""
    ann = ui.operator(new_page, server, "ann")
    watch.allow("Executing inline event handler violates the following Content Security Policy")
    watch.allow("Applying inline style violates the following Content Security Policy")
    built = ann.evaluate(
        """async (html) => {
          const { messageNodes } = await import("/static/js/rich.js");
          const box = document.createElement("div");
          box.append(...messageNodes({ html, text: "fallback" }));
          return box.innerHTML;
        }""",
        HOSTILE,
    )
    assert built == (
        'jsalert(3)b<p>p</p><a href="https://e.org/" rel="noopener noreferrer nofollow" '
        'target="_blank">ok</a>'
    )
    assert watch.problems == [] and watch.dialogs == []
