"""The one renderer of dialog-history entries (web/static/js/history/), in Chromium.

Each kind of entry in both wordings (staff: console, manager, print; the visitor: the
widget), the look of each page, the server's HTML through the allowlist, the gap line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser

# One entry of every kind, as the server sends it.
ENTRIES: dict[str, dict[str, Any]] = {
    "dialog.opened": {"visitor_name": "Vera", "info": {}},
    "dialog.assigned": {"operator": "op-1", "operator_name": "Olga"},
    "dialog.transferred": {"from_name": "Olga", "to_name": "Petr", "note": "VIP"},
    "dialog.looking_for_info": {"operator_name": "Olga", "reminder": False},
    "dialog.important": {"important": True},
    "dialog.help_requested": {"text": "refund?"},
    "dialog.help_acked": {"manager": "maria", "name": "Maria"},
    "dialog.help_resolved": {"author": "operator", "author_id": "op-1", "name": "Olga",
                             "text": "done"},
    "dialog.mail": {"kind": "transcript", "text": "sent to v@example.org"},
    "dialog.requeued": {"reason": "operator left", "operator": "op-1"},
    "dialog.closed": {"by": "operator", "reason": "closed by the operator"},
}

STAFF = {
    "dialog.opened": "Vera opened the dialog at T100.",
    "dialog.assigned": "Assigned to Olga.",
    "dialog.transferred": "Transferred from Olga to Petr — note: VIP",
    "dialog.looking_for_info": "The visitor was told that Olga is looking for information.",
    "dialog.important": "Marked important.",
    "dialog.help_requested": "Help requested: refund?",
    "dialog.help_acked": "Maria is on the help request.",
    "dialog.help_resolved": "Help request resolved by Olga: done",
    "dialog.mail": "Transcript sent to v@example.org.",
    "dialog.requeued": "Back in the queue (operator left).",
    "dialog.closed": "Dialog closed by the operator.",
}

VISITOR = {
    "dialog.opened": None,
    "dialog.assigned": "You are now chatting with Olga.",
    "dialog.transferred": "Your chat was transferred to Petr.",
    "dialog.looking_for_info": "Olga is looking for information. Please wait a moment.",
    "dialog.important": None,
    "dialog.help_requested": None,
    "dialog.help_acked": None,
    "dialog.help_resolved": None,
    "dialog.mail": None,
    "dialog.requeued": (
        "Your operator was disconnected. You keep your place at the head of the queue;"
        " the next operator will answer."
    ),
    "dialog.closed": "The chat has ended.",
}


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "history-render")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def render_all(page: Page, entries: list[dict[str, Any]], options: str) -> Any:
    """Each entry rendered with `options` (JS): null or {cls, testid, kind, text, who, body…}."""
    return page.evaluate(
        f"""async (entries) => {{
          const m = await import('/static/js/history/render.js');
          const clock = (at) => "T" + at;
          const options = {options};
          return entries.map((e) => {{
            const li = m.renderEntry(e, options);
            if (li === null) return null;
            const who = li.querySelector("[class$=who]");
            const body = li.querySelector("[data-testid$=text]");
            return {{cls: li.className, testid: li.dataset.testid, kind: li.dataset.kind,
                     seq: li.dataset.seq, text: li.textContent,
                     who: who ? who.firstChild.textContent : null,
                     body: body ? body.innerHTML : null}};
          }});
        }}""",
        entries,
    )


def entries_of_every_kind() -> list[dict[str, Any]]:
    return [
        {"type": kind, "dialog": "d-1", "seq": i + 1, "at": 100, **fields}
        for i, (kind, fields) in enumerate(ENTRIES.items())
    ]


def test_every_kind_in_the_staff_wording(page: Page) -> None:
    got = render_all(page, entries_of_every_kind(), "{skin: m.SKINS.console, clock}")
    assert [g["text"] for g in got] == list(STAFF.values())
    assert [g["kind"] for g in got] == list(ENTRIES)
    assert [g["seq"] for g in got] == [str(i + 1) for i in range(len(ENTRIES))]
    assert {g["testid"] for g in got} == {"sys"}
    tones = {g["kind"]: g["cls"] for g in got}
    assert tones["dialog.transferred"] == "sys transferred"
    assert tones["dialog.closed"] == "sys closed"
    assert tones["dialog.assigned"] == "sys"


def test_every_kind_in_the_visitors_wording_and_nothing_internal(page: Page) -> None:
    got = render_all(page, entries_of_every_kind(), "{visitor: true, skin: m.SKINS.widget, clock}")
    assert [None if g is None else g["text"] for g in got] == list(VISITOR.values())
    shown = {g["kind"]: g for g in got if g is not None}
    assert {g["testid"] for g in shown.values()} == {"fd-note"}
    assert shown["dialog.looking_for_info"]["cls"] == "fd-note fd-looking"
    assert shown["dialog.transferred"]["text"].count("VIP") == 0  # a transfer's note is internal


def test_reminders_and_closings_say_more_only_when_there_is_more(page: Page) -> None:
    entries = [
        {
            "type": "dialog.looking_for_info",
            "seq": 1,
            "at": 1,
            "operator_name": "Olga",
            "reminder": True,
        },
        {
            "type": "dialog.closed",
            "seq": 2,
            "at": 2,
            "by": "engine",
            "reason": "visitor gone for 300 s",
        },
        {
            "type": "dialog.transferred",
            "seq": 3,
            "at": 3,
            "from_name": "A",
            "to_name": "B",
            "note": "",
        },
        {"type": "dialog.important", "seq": 4, "at": 4, "important": False},
        {"type": "dialog.help_requested", "seq": 5, "at": 5},
        {"type": "dialog.closed", "seq": 6, "at": 6, "by": "visitor",
         "reason": "the visitor left (no connection for 120 s)"},
    ]
    staff = render_all(page, entries, "{clock}")
    visitor = render_all(page, entries, "{visitor: true, skin: m.SKINS.widget}")
    assert [g["text"] for g in staff] == [
        "Reminder sent to the visitor: Olga is still looking for information.",
        "Dialog closed by the system — visitor gone for 300 s.",
        "Transferred from A to B.",
        "No longer marked important.",
        "Help requested.",
        "Dialog closed by the visitor — the visitor left (no connection for 120 s).",
    ]
    assert [None if g is None else g["text"] for g in visitor] == [
        "Olga is still looking for information. Thank you for waiting.",
        "The chat has ended.",
        "Your chat was transferred to B.",
        None,
        None,
        # a visitor back after the grace period is told why the chat ended
        "The chat was closed while you were away (no connection for 120 s).",
    ]


def test_a_message_in_each_look_and_each_wording(page: Page) -> None:
    entries = [
        {
            "type": "dialog.message",
            "seq": 7,
            "at": 50,
            "author": "visitor",
            "name": "Vera",
            "text": "**hi**",
            "html": "<p><strong>hi</strong> <img src=x onerror=alert(1)></p>",
        },
        {
            "type": "dialog.message",
            "seq": 8,
            "at": 60,
            "author": "operator",
            "name": "Olga",
            "text": "<b>x</b>",
        },
    ]
    staff = render_all(page, entries, "{skin: m.SKINS.console, clock}")
    manager = render_all(page, entries, "{skin: m.SKINS.manager, clock}")
    widget = render_all(
        page, entries, "{visitor: true, skin: m.SKINS.widget, clock, visitorName: ''}"
    )
    assert [(g["cls"], g["testid"], g["who"]) for g in staff] == [
        ("msg visitor", "msg", "Vera"),
        ("msg operator", "msg", "Olga"),
    ]
    assert [g["testid"] for g in manager] == ["monitor-msg", "monitor-msg"]
    assert [(g["cls"], g["testid"], g["who"]) for g in widget] == [
        ("fd-msg fd-visitor", "fd-msg", "You"),
        ("fd-msg fd-operator", "fd-msg", "Olga"),
    ]
    # The server's HTML through the allowlist (the img is dropped), a text-only entry as text.
    assert staff[0]["body"] == "<p><strong>hi</strong> </p>"
    assert staff[1]["body"] == "&lt;b&gt;x&lt;/b&gt;"
    assert staff[0]["text"] == "VeraT50hi "


def test_an_unknown_kind_shows_nothing_and_the_gap_in_both_wordings(page: Page) -> None:
    got = page.evaluate(
        """async () => {
          const m = await import('/static/js/history/render.js');
          const e = await import('/static/js/entries.js');
          const unknown = {type: "dialog.someday", seq: 1, at: 1, text: "<secret>"};
          const staffGap = m.renderGap({skin: m.SKINS.console});
          const visitorGap = m.renderGap({visitor: true, skin: m.SKINS.widget});
          return {staff: m.renderEntry(unknown), visitor: m.renderEntry(unknown, {visitor: true}),
                  proto: m.renderEntry({type: "__proto__", seq: 2}),
                  described: e.describeEntry({type: "dialog.assigned", operator_name: "Olga"}),
                  message: e.describeEntry({type: "dialog.message", text: "x"}),
                  gaps: [[staffGap.className, staffGap.textContent],
                         [visitorGap.className, visitorGap.textContent]]};
        }"""
    )
    assert got == {
        "staff": None,
        "visitor": None,
        "proto": None,
        "described": "Assigned to Olga.",
        "message": None,
        "gaps": [
            ["sys gap", "Earlier history is no longer available."],
            ["fd-note fd-gap", "Earlier messages are no longer available."],
        ],
    }
