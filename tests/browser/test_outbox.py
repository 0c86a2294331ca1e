"""The pages never drop a typed message (issue 13, finding 7), on a real server.

A message typed while the page has no socket is kept (sessionStorage) through a
reload and sent once; a permanent refusal shows as failed with the server's reason
and the next message still goes; a paused node (SIGSTOP) is noticed by the
keepalive: both pages say "reconnecting" within 5 s, and what was typed meanwhile
is delivered once the node answers again. The cluster cases (``not_primary``, a
failover) are in ``tests/browser/test_failover_typing.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

# A paused node: the page's sockets to it fail or are given up, and Chromium logs that.
SOCKET_ERRORS = (
    r"WebSocket (connection to .* failed|is closed before the connection is established)"
)


def conversation(server: Server, new_page: ui.NewPage) -> tuple[Page, Page]:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "v1")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["v1"])
    return ann, vera


@contextlib.contextmanager
def paused(server: Server) -> Iterator[None]:
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def test_a_message_pending_at_a_reload_of_the_widget_is_kept_and_sent_once(
    server: Server, new_page: ui.NewPage
) -> None:
    ann, vera = conversation(server, new_page)
    vera.evaluate("window.frontdeskWidget.session.link.stop()")
    ui.widget_say(vera, "v2 typed offline")
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(1)

    vera.reload()
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(0)
    expect(ui.widget_texts(vera)).to_have_text(["v1", "v2 typed offline"])
    expect(ui.console_texts(ann)).to_have_text(["v1", "v2 typed offline"])
    # Once: another round trip, and still one copy on both sides.
    ui.console_say(ann, "o1")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "v2 typed offline", "o1"])
    expect(ui.console_texts(ann)).to_have_text(["v1", "v2 typed offline", "o1"])


def test_a_message_pending_at_a_reload_of_the_console_is_kept_and_sent_once(
    server: Server, new_page: ui.NewPage
) -> None:
    ann, vera = conversation(server, new_page)
    ann.evaluate("window.frontdeskConsole.link.stop()")
    ui.console_say(ann, "o1 typed offline")
    expect(ann.get_by_test_id("msg-pending")).to_have_count(1)
    expect(ann.get_by_test_id("announce")).to_have_text("1 message waiting to be sent.")

    ann.reload()
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    ui.tab(ann, "Vera").click()
    expect(ann.get_by_test_id("msg-pending")).to_have_count(0)
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1 typed offline"])
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1 typed offline"])
    ui.widget_say(vera, "v2")
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1 typed offline", "v2"])
    expect(ann.get_by_test_id("announce")).to_have_text("")


def test_a_permanent_refusal_shows_the_reason_and_the_next_message_goes(
    server: Server, new_page: ui.NewPage
) -> None:
    ann, vera = conversation(server, new_page)
    # Over the protocol's 4,000 characters (the text box would not let a person type it).
    vera.evaluate("window.frontdeskWidget.session.say('x'.repeat(4001))")
    ui.widget_say(vera, "v2")
    failed = vera.get_by_test_id("fd-msg-failed")
    expect(failed).to_have_count(1)
    expect(vera.get_by_test_id("fd-msg-failed-reason")).to_contain_text("4000")
    expect(ui.console_texts(ann)).to_have_text(["v1", "v2"])
    expect(ui.widget_texts(vera)).to_have_text(["v1", "v2"])
    # Kept across a reload until the visitor dismisses it (by keyboard).
    vera.reload()
    expect(failed).to_have_count(1)
    vera.get_by_test_id("fd-msg-dismiss").focus()
    vera.keyboard.press("Enter")
    expect(failed).to_have_count(0)
    expect(ui.widget_texts(vera)).to_have_text(["v1", "v2"])


def test_a_paused_node_shows_reconnecting_within_5_s_and_nothing_typed_is_lost(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(SOCKET_ERRORS)
    ann, vera = conversation(server, new_page)
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    with paused(server):
        stopped = time.monotonic()
        expect(ann.get_by_test_id("connection")).to_have_text("Reconnecting…", timeout=5000)
        left_ms = max(1, int(5000 - 1000 * (time.monotonic() - stopped)))
        expect(vera.get_by_test_id("fd-conn")).to_have_text(
            "Connection lost — reconnecting…", timeout=left_ms
        )
        assert time.monotonic() - stopped < 5.0
        expect(vera.get_by_test_id("fd-announce")).to_contain_text("reconnecting")
        ui.widget_say(vera, "v2 while paused")
        ui.console_say(ann, "o1 while paused")
        expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(1)
        expect(ann.get_by_test_id("msg-pending")).to_have_count(1)
    expect(ann.get_by_test_id("connection")).to_have_text("Online", timeout=30_000)
    expect(vera.get_by_test_id("fd-conn")).to_be_hidden(timeout=30_000)
    expect(ui.widget_texts(vera)).to_contain_text(["v1", "v2 while paused"])
    expect(ui.console_texts(ann)).to_have_count(3, timeout=15_000)
    for texts in (ui.widget_texts(vera), ui.console_texts(ann)):
        got = texts.all_text_contents()
        assert sorted(got) == sorted(["v1", "v2 while paused", "o1 while paused"]), got


def test_the_console_shows_a_permanent_refusal_with_the_reason_and_goes_on(
    server: Server, new_page: ui.NewPage
) -> None:
    ann, vera = conversation(server, new_page)
    # Over the protocol's 4,000 characters: set past the text box's own limit.
    ann.evaluate("document.getElementById('message').value = 'x'.repeat(4001)")
    ann.get_by_test_id("message-input").press("Enter")
    ui.console_say(ann, "o1")
    expect(ann.get_by_test_id("msg-failed")).to_have_count(1)
    expect(ann.get_by_test_id("msg-failed-reason")).to_contain_text("4000")
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1"])
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1"])
    expect(ann.get_by_test_id("errors")).to_have_text("")  # shown at the message, not as an error
    ann.get_by_test_id("msg-dismiss").click()
    expect(ann.get_by_test_id("msg-failed")).to_have_count(0)
