"""Reloads and lost connections on either side: nothing missed, nothing doubled."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .pages import (
    NewPage,
    console_say,
    console_texts,
    operator,
    set_status,
    tab,
    visitor,
    widget_say,
    widget_texts,
)
from .server import Server

pytestmark = pytest.mark.browser


def conversation(server: Server, new_page: NewPage) -> tuple[Page, Page]:
    ann = operator(new_page, server, "ann")
    set_status(ann, "connected")
    vera = visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    widget_say(vera, "v1")
    tab(ann, "Vera").click()
    console_say(ann, "o1")
    expect(widget_texts(vera)).to_have_text(["v1", "o1"])
    expect(console_texts(ann)).to_have_text(["v1", "o1"])
    return ann, vera


def dialog_id(vera: Page) -> str:
    return str(vera.evaluate("window.frontdeskWidget.session.dialog"))


def test_widget_reload_resumes_the_same_dialog(server: Server, new_page: NewPage) -> None:
    ann, vera = conversation(server, new_page)
    before = dialog_id(vera)

    vera.reload()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(widget_texts(vera)).to_have_text(["v1", "o1"])
    assert dialog_id(vera) == before

    # The operator talks while the visitor's page reloads: the message arrives once.
    vera.reload(wait_until="commit")
    console_say(ann, "o2")
    expect(widget_texts(vera)).to_have_text(["v1", "o1", "o2"])
    widget_say(vera, "v2")
    expect(console_texts(ann)).to_have_text(["v1", "o1", "o2", "v2"])
    expect(ann.get_by_test_id("tab")).to_have_count(1)
    # Nothing doubled after things settle either: one more round trip, then count again.
    console_say(ann, "o3")
    expect(widget_texts(vera)).to_have_text(["v1", "o1", "o2", "v2", "o3"])


def test_console_reload_resumes_every_dialog(server: Server, new_page: NewPage) -> None:
    ann, vera = conversation(server, new_page)

    ann.reload(wait_until="commit")
    widget_say(vera, "v2")
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    tab(ann, "Vera").click()
    expect(console_texts(ann)).to_have_text(["v1", "o1", "v2"])
    # The tab was already opened before the reload: it does not flash again.
    expect(tab(ann, "Vera")).to_have_attribute("data-flashing", "false")
    console_say(ann, "o2")
    expect(widget_texts(vera)).to_have_text(["v1", "o1", "v2", "o2"])
    expect(console_texts(ann)).to_have_text(["v1", "o1", "v2", "o2"])


def test_lost_connections_miss_nothing(server: Server, new_page: NewPage) -> None:
    ann, vera = conversation(server, new_page)

    # The visitor's socket goes away; the operator goes on talking.
    vera.evaluate("window.frontdeskWidget.session.link.stop()")
    expect(vera.get_by_test_id("fd-conn")).to_be_visible()
    console_say(ann, "o2")
    console_say(ann, "o3")
    expect(console_texts(ann)).to_have_text(["v1", "o1", "o2", "o3"])
    # The visitor writes while offline: kept, and sent with its ref when back.
    widget_say(vera, "v2 (written offline)")
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(1)
    vera.evaluate("window.frontdeskWidget.session.link.start()")
    expect(vera.get_by_test_id("fd-conn")).to_be_hidden()
    expect(widget_texts(vera)).to_have_text(["v1", "o1", "o2", "o3", "v2 (written offline)"])
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(0)
    expect(console_texts(ann)).to_have_text(["v1", "o1", "o2", "o3", "v2 (written offline)"])

    # Now the operator's socket goes away; the visitor talks.
    ann.evaluate("window.frontdeskConsole.link.stop()")
    widget_say(vera, "v3")
    widget_say(vera, "v4")
    expect(widget_texts(vera)).to_have_count(7)
    ann.evaluate("window.frontdeskConsole.link.start()")
    expect(console_texts(ann)).to_have_text(
        ["v1", "o1", "o2", "o3", "v2 (written offline)", "v3", "v4"]
    )
