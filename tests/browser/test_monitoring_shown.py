"""Monitoring shown (issue 16), in Chromium: while a manager monitors a dialog its console
says "A manager is watching this dialog"; a reload of the manager view monitors it again
(sessionStorage), its history shown, and the console's line stays."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_a_monitored_dialog_stays_monitored_across_a_reload(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Hello there")
    ui.tab(ann, "Vera").click()
    expect(ann.get_by_test_id("chat-monitored")).to_be_hidden()

    maria.get_by_test_id("dialog-row").filter(has_text="Vera").get_by_test_id("monitor").click()
    expect(maria.get_by_test_id("monitor-msg")).to_contain_text(["Hello there"])
    expect(ann.get_by_test_id("chat-monitored")).to_have_text("A manager is watching this dialog")

    maria.reload()
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    expect(maria.get_by_test_id("monitor-msg")).to_contain_text(["Hello there"])
    row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(row.get_by_test_id("unmonitor")).to_be_visible()
    expect(ann.get_by_test_id("chat-monitored")).to_be_visible()
    row.get_by_test_id("unmonitor").click()
    expect(ann.get_by_test_id("chat-monitored")).to_be_hidden()
    assert "watching" not in vera.get_by_test_id("fd-chat").inner_text()
