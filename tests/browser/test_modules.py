"""The pages' pure JavaScript modules, run in Chromium against a plain static server.

These check the pieces the end-to-end tests rely on, without a frontdesk
server: dedupe by seq, the waiting time, the backoff, the text-only DOM helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "modules")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def run(page: Page, module: str, body: str) -> Any:
    """Import /static/js/<module> as `m` and evaluate `body` (an async function body)."""
    return page.evaluate(f"async () => {{ const m = await import('/static/js/{module}'); {body} }}")


def test_transcript_drops_entries_it_has_and_keeps_seq_order(page: Page) -> None:
    result = run(
        page,
        "transcript.js",
        """
        const t = new m.Transcript("d-1");
        const msg = (seq, author, at) => ({type: "dialog.message", dialog: "d-1", seq, at,
                                           author, name: author, text: "t" + seq});
        const added = [t.add(msg(2, "visitor", 10)), t.add(msg(1, "system", 5)),
                       t.add(msg(2, "visitor", 10)), t.add(msg(3, "visitor", 20))];
        return {added, last: t.lastSeq, order: t.entries.map(e => e.seq),
                since: t.waitingSince(),
                restored: m.Transcript.fromJSON(JSON.parse(JSON.stringify(t))).lastSeq};
        """,
    )
    assert result == {
        "added": [True, True, False, True],
        "last": 3,
        "order": [1, 2, 3],
        "since": 10,
        "restored": 3,
    }


def test_waiting_since_is_the_oldest_unanswered_visitor_message(page: Page) -> None:
    result = run(
        page,
        "transcript.js",
        """
        const t = new m.Transcript("d-1");
        let seq = 0;
        const add = (type, extra) => t.add({type, dialog: "d-1", seq: ++seq, ...extra});
        const seen = [];
        add("dialog.opened", {at: 1, visitor_name: "V", info: {}});
        seen.push(t.waitingSince());
        add("dialog.message", {at: 2, author: "visitor"});
        add("dialog.message", {at: 3, author: "visitor"});
        seen.push(t.waitingSince());
        add("dialog.message", {at: 4, author: "operator"});
        seen.push(t.waitingSince());
        add("dialog.message", {at: 5, author: "visitor"});
        seen.push(t.waitingSince());
        add("dialog.closed", {at: 6, by: "visitor", reason: ""});
        seen.push(t.waitingSince());
        return seen;
        """,
    )
    assert result == [None, 2, None, 5, None]


def test_history_types_match_the_protocol(page: Page) -> None:
    types = run(page, "transcript.js", "return [...m.HISTORY_TYPES].sort();")
    documented = (REPO / "docs" / "protocol.md").read_text()
    for frame_type in types:
        assert f"`{frame_type}`" in documented, frame_type
    assert "dialog.position" not in types
    assert "dialog.typing" not in types


def test_backoff_grows_with_jitter_and_stays_capped(page: Page) -> None:
    result = run(
        page,
        "link.js",
        """
        const low = [0, 1, 2, 3, 10].map(a => m.backoffDelay(a, () => 0));
        const high = [0, 1, 2, 3, 10].map(a => m.backoffDelay(a, () => 1));
        return {low, high, ws: m.wsUrl("https://chat.example.com/x", "/ws/visitor"),
                plain: m.wsUrl("http://127.0.0.1:8080", "/ws/operator")};
        """,
    )
    assert result["low"] == [200, 400, 800, 1600, 5000]
    assert result["high"] == [400, 800, 1600, 3200, 10000]
    assert result["ws"] == "wss://chat.example.com/ws/visitor"
    assert result["plain"] == "ws://127.0.0.1:8080/ws/operator"


def test_dom_helper_makes_text_never_markup(page: Page) -> None:
    result = run(
        page,
        "dom.js",
        """
        const node = m.h("div", {"data-x": "<b>"}, "<img src=x onerror=alert(1)>",
                         m.h("span", {}, "<script>alert(2)</script>"), null, false, 7);
        let inline = "made";
        try { m.h("div", {onclick: "alert(1)"}); } catch (err) { inline = err.name; }
        return {text: node.textContent, elements: node.querySelectorAll("*").length,
                attr: node.getAttribute("data-x"), inline};
        """,
    )
    assert result == {
        "text": "<img src=x onerror=alert(1)><script>alert(2)</script>7",
        "elements": 1,
        "attr": "<b>",
        "inline": "TypeError",
    }


def test_update_list_keeps_equal_rows_patches_changed_ones_and_carries_the_focus(
    page: Page,
) -> None:
    result = run(
        page,
        "patch.js",
        """
        const { h } = await import('/static/js/dom.js');
        const list = document.body.appendChild(h("ul"));
        const clicks = [];
        const row = (id, text, label) => h("li", {"data-id": id}, h("span", {}, text),
            h("button", {type: "button", onclick: () => clicks.push(label)}, label));
        const update = (...rows) => m.updateList(list, rows, "data-id");
        update(row("a", "A", "go"), row("b", "B", "go"), row("c", "C", "go"));
        const [a, b, c] = list.children;
        const bText = b.firstChild;
        c.querySelector("button").focus();
        update(row("c", "C", "go"), row("b", "B2", "go"), row("d", "D", "go"));
        const stillFocused = document.activeElement === c.querySelector("button");
        update(row("c", "C", "stop"), row("b", "B2", "go"), row("d", "D", "go"));
        const focused = document.activeElement;
        focused.click();
        return {order: [...list.children].map(li => li.dataset.id + ":" + li.textContent),
                aGone: !a.isConnected, bKept: list.children[1] === b, cKept: list.children[0] === c,
                bTextPatchedInPlace: b.firstChild === bText,
                stillFocused, focusedLabel: focused.textContent, clicks};
        """,
    )
    assert result == {
        "order": ["c:Cstop", "b:B2go", "d:Dgo"],
        "aGone": True,
        "bKept": True,
        "cKept": True,
        "bTextPatchedInPlace": True,
        "stillFocused": True,
        "focusedLabel": "stop",
        "clicks": ["stop"],
    }


def test_login_only_follows_local_next_paths(page: Page) -> None:
    # login.js wires its form at import; give it one so it can, then test safeNext.
    page.set_content(
        "<form id='login-form'><input name='login'><input name='password'>"
        "<input name='next'><p id='login-error'></p><button type='submit'></button></form>"
    )
    result = run(
        page,
        "login.js",
        """
        return ["/console", "/manager?x=1", "//evil.example", "https://evil.example/",
                "/\\\\evil", "", null].map(v => m.safeNext(v));
        """,
    )
    assert result == ["/console", "/manager?x=1", None, None, None, None, None]


def test_statuses_and_fields_are_normalized_from_the_config(page: Page) -> None:
    result = run(
        page,
        "api.js",
        """
        return {
          fromList: m.normalizeStatuses([{value: "connected", label: "Online"},
                                         {value: "training", takes_new_dialogs: true}]),
          fromMap: m.normalizeStatuses({phone: "Phone"}),
          missing: m.normalizeStatuses(undefined).length,
          fields: m.normalizeFields([{key: "plan", label: "Plan"}, "email", {label: "x"}]),
        };
        """,
    )
    assert result["fromList"] == [
        {"value": "connected", "label": "Online", "takes_new_dialogs": True},
        {"value": "training", "label": "Training", "takes_new_dialogs": True},  # as the server says
    ]
    assert result["fromMap"] == [{"value": "phone", "label": "Phone", "takes_new_dialogs": False}]
    assert result["missing"] == 7
    assert result["fields"] == [
        {"key": "plan", "label": "Plan"},
        {"key": "email", "label": "email"},
    ]


def test_transcript_cursor_is_epoch_and_seq_and_a_discontinuity_drops_the_tail(
    page: Page,
) -> None:
    result = run(
        page,
        "transcript.js",
        """
        const t = new m.Transcript("d-1");
        const msg = (seq, epoch, text) => ({type: "dialog.message", dialog: "d-1", seq, epoch,
                                            at: seq, author: "visitor", name: "V", text});
        for (const s of [1, 2, 3, 4, 5]) t.add(msg(s, 2, "old " + s));
        const before = t.cursor();
        t.discard(3);  // dialog.discontinuity {after_seq: 3}: 4 and 5 were discarded
        const after = t.cursor();
        const reused = [t.add(msg(4, 3, "new 4")), t.add(msg(5, 3, "new 5"))];
        return {before, after, reused, texts: t.entries.map(e => e.text), now: t.cursor(),
                empty: new m.Transcript("d-2").cursor()};
        """,
    )
    assert result == {
        "before": {"after_seq": 5, "after_epoch": 2},
        "after": {"after_seq": 3, "after_epoch": 2},
        "reused": [True, True],
        "texts": ["old 1", "old 2", "old 3", "new 4", "new 5"],
        "now": {"after_seq": 5, "after_epoch": 3},
        "empty": {"after_seq": 0},
    }
