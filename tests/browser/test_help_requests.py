"""Help requests (issue 16), in Chromium: the operator asks, the dialog flashes orange in the
manager view (a steady orange mark when motion is reduced) and is listed until the manager
acknowledges it; acknowledging monitors the dialog with the internal box focused; the console
shows the manager is on it, they talk internally, the manager resolves it and the trace
stays in the internal history, while the visitor's page shows nothing of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def _flashes_orange(maria: Page, row: Locator) -> None:
    """The row flashes (an animation); under prefers-reduced-motion, a steady orange."""
    cell = row.locator("td").first
    expect(cell).to_have_css("animation-name", "help-flash")
    maria.emulate_media(reduced_motion="reduce")
    expect(cell).to_have_css("animation-name", "none")
    expect(cell).to_have_css("background-color", "rgb(255, 201, 136)")
    maria.emulate_media(reduced_motion="no-preference")


def _audit_lists(maria: Page, actions: list[str]) -> None:
    """The Audit section lists the step-ins, newest first (GET /api/audit, the journal's)."""
    audit = maria.get_by_test_id("audit-item")
    expect(audit).to_have_count(len(actions))
    assert audit.evaluate_all("items => items.map(i => i.dataset.action)") == actions
    expect(audit.first).to_contain_text("Maria resolved the help request of d-")


def test_a_help_request_flashes_is_acknowledged_and_answered(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "I want my money back")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["I want my money back"])

    ann.get_by_test_id("help").click()
    ann.get_by_test_id("help-text").fill("angry customer")
    ann.get_by_test_id("help-submit").click()
    expect(ann.get_by_test_id("help-status")).to_have_text("Help requested: waiting for a manager.")

    row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(row).to_have_attribute("data-help", "waiting")
    expect(row).to_have_class("help-waiting")
    _flashes_orange(maria, row)
    request = maria.get_by_test_id("help-request")
    expect(request).to_contain_text("Ann on Vera — angry customer")
    expect(maria.get_by_test_id("help-count")).to_have_text("1")

    request.get_by_test_id("help-ack").click()
    expect(maria.get_by_test_id("help-requests")).to_be_empty()
    expect(maria.get_by_test_id("help-count")).to_have_text("0")
    expect(row).to_have_attribute("data-help", "acked")
    expect(row).not_to_have_class("help-waiting")
    expect(maria.get_by_test_id("step-in-text")).to_be_focused()
    expect(maria.get_by_test_id("step-in-help")).to_have_text(
        "Help requested: angry customer Maria is on it.")
    expect(ann.get_by_test_id("help-status")).to_have_text("Maria is on your help request.")
    expect(ann.get_by_test_id("internal-unread")).to_have_text("1")

    maria.get_by_test_id("step-in-text").fill("Offer a 10 % voucher")
    maria.get_by_test_id("step-in-internal").click()
    ann.get_by_test_id("internal-tab").click()
    internal = ann.get_by_test_id("internal-history")
    expect(internal).to_contain_text("Offer a 10 % voucher")
    ann.get_by_test_id("internal-input").fill("Done, she accepted")
    ann.get_by_test_id("internal-input").press("Enter")
    expect(maria.get_by_test_id("monitor-history")).to_contain_text("Done, she accepted")

    maria.get_by_test_id("step-in-resolve").click()
    expect(ann.get_by_test_id("help-state")).to_be_hidden()
    expect(internal).to_contain_text("Help request resolved by Maria.")
    expect(maria.get_by_test_id("monitor-history")).to_contain_text(
        "Help request resolved by Maria.")
    expect(row).not_to_have_attribute("data-help", "acked")
    _audit_lists(maria, ["help_resolve", "internal", "help_ack"])

    ui.console_say(ann, "Here is your voucher")
    expect(ui.widget_texts(vera)).to_have_text(["I want my money back", "Here is your voucher"])
    page_text = vera.get_by_test_id("fd-chat").inner_text()
    for secret in ("angry customer", "Offer a 10", "she accepted", "Maria", "Help request"):
        assert secret not in page_text
