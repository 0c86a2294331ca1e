"""The manager view: operators, dialogs, the queue, monitoring — live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_manager_sees_operators_dialogs_and_queue_live(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "on_break")

    ann_row = maria.get_by_test_id("operator-row").filter(has_text="Ann")
    expect(ann_row.get_by_test_id("operator-status")).to_have_text("On break")

    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    expect(maria.get_by_test_id("queue-item")).to_have_count(1)
    expect(maria.get_by_test_id("queue-item")).to_contain_text("Vera")
    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("queued")

    ui.set_status(ann, "connected")
    expect(ann_row.get_by_test_id("operator-status")).to_have_text("Connected")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("assigned")
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Ann")
    expect(ann_row.get_by_test_id("operator-load")).to_have_text("1 / 3")
    expect(maria.get_by_test_id("queue-item")).to_have_count(0)

    # Monitoring shows the dialog's messages, live.
    vera_row.get_by_test_id("monitor").click()
    ui.widget_say(vera, "Is anyone watching?")
    expect(maria.get_by_test_id("monitor-msg")).to_contain_text(["Is anyone watching?"])

    # The operator asks for help; the manager sees the request.
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("help").click()
    ann.get_by_test_id("help-text").fill("Customer asks for a refund")
    ann.get_by_test_id("help-submit").click()
    expect(maria.get_by_test_id("help-request")).to_have_text(
        ["Ann on Vera — Customer asks for a refund Acknowledge"]  # its button's label last
    )
    ui.save_screenshot(maria, "manager.png")
