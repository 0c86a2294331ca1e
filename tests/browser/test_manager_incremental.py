"""The manager view applies notices to what it has: no GET /api/inspect for each one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Request, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_notices_update_the_manager_view_without_fetching_the_snapshot(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = new_page("maria")
    inspections: list[str] = []

    def count(request: Request) -> None:
        if "/api/inspect" in request.url:
            inspections.append(request.url)

    maria.on("request", count)
    ui.log_in(maria, server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")

    ann = ui.operator(new_page, server, "ann")
    ann_row = maria.get_by_test_id("operator-row").filter(has_text="Ann")
    expect(ann_row).to_have_count(1)
    ui.set_status(ann, "on_break")
    expect(ann_row.get_by_test_id("operator-status")).to_have_text("On break")

    ui.visitor(new_page, server, "Vera")
    expect(maria.get_by_test_id("queue-item")).to_contain_text(["Vera"])
    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("queued")

    ui.set_status(ann, "connected")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("assigned")
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Ann")
    expect(ann_row.get_by_test_id("operator-load")).to_have_text("1 / 3")
    expect(maria.get_by_test_id("queue-item")).to_have_count(0)

    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("help").click()
    ann.get_by_test_id("help-text").fill("refund?")
    ann.get_by_test_id("help-submit").click()
    expect(maria.get_by_test_id("help-request")).to_have_text(["Ann on Vera — refund? Acknowledge"])

    ui.close_dialog(ann)
    expect(vera_row).to_have_count(0)  # the snapshot lists open dialogs only
    expect(ann_row.get_by_test_id("operator-load")).to_have_text("0 / 3")
    expect(maria.get_by_test_id("help-request")).to_have_count(0)
    assert inspections == []
    assert maria.evaluate("window.frontdeskManager.inspections") == 0


def test_a_managers_close_is_kept_until_answered_and_ends_the_chat(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    vera = ui.visitor(new_page, server, "Vera")
    row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    row.get_by_test_id("manager-close").click()
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()
    expect(row).to_have_count(0)
    maria.wait_for_function("() => window.frontdeskManager.outbox.items.length === 0")


def test_a_notice_keeps_the_managers_focus_and_the_rows_it_does_not_change(
    server: Server, new_page: ui.NewPage
) -> None:
    """A manager tabbing through the dialogs' buttons keeps the focus when a notice arrives
    (a new visitor, an operator's status), and a row the notice does not touch is the same
    element: its help flash runs on instead of restarting."""
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.visitor(new_page, server, "Vera")
    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    monitor = vera_row.get_by_test_id("monitor")
    monitor.focus()
    vera_row.evaluate("row => { row.fdMark = 'kept'; }")  # a property: only this element has it

    ui.visitor(new_page, server, "Walt")
    expect(maria.get_by_test_id("dialog-row").filter(has_text="Walt")).to_have_count(1)
    ui.set_status(ann, "on_break")
    ann_row = maria.get_by_test_id("operator-row").filter(has_text="Ann")
    expect(ann_row.get_by_test_id("operator-status")).to_have_text("On break")

    expect(monitor).to_be_focused()
    assert vera_row.evaluate("row => row.fdMark") == "kept"

    maria.keyboard.press("Enter")  # Monitor: the button becomes Stop monitoring, still focused
    expect(vera_row.get_by_test_id("unmonitor")).to_be_focused()
    assert vera_row.evaluate("row => row.fdMark") == "kept"
