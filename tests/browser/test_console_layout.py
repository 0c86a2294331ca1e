"""The console's layout and flow (issue 17, finding 5): long transfer notes wrap,
the transfer list says who can take the dialog, closing asks first, drafts survive
a reload, and the page works from 800 px up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

LONG_NOTE = ("Gold plan upgrade, identity already verified by phone, wants the yearly "
             "invoice split across two cost centres; please check the VAT number first ") * 2


def _inside_viewport(page: Page, test_id: str) -> None:
    box = page.get_by_test_id(test_id).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, f"{test_id}: expected a visible box"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (
        f"{test_id}: expected inside 0..{size['width']} px, got {box}")
    assert box["y"] + box["height"] <= size["height"], (
        f"{test_id}: expected above {size['height']} px, got {box}")


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"expected no sideways scroll, the page is {widths[0]} px wide in {widths[1]}")


def test_a_200_character_note_keeps_send_visible_at_1366x800(
    server: Server, new_page: ui.NewPage
) -> None:
    assert len(LONG_NOTE) >= 200
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "no_new_dialog")
    ui.set_status(ann, "connected")
    ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("transfer").click()
    ann.get_by_test_id("transfer-to").select_option("bob")
    ann.get_by_test_id("transfer-note").fill(LONG_NOTE)
    ann.get_by_test_id("transfer-submit").click()

    bob.set_viewport_size({"width": 1366, "height": 800})
    ui.tab(bob, "Vera").click()
    expect(bob.get_by_test_id("chat-transfer")).to_contain_text(LONG_NOTE.strip())
    for test_id in ("send", "close-dialog", "visitor-info", "message-input"):
        _inside_viewport(bob, test_id)
    _no_sideways_scroll(bob)
    bob.set_viewport_size({"width": 800, "height": 700})
    for test_id in ("send", "close-dialog", "message-input"):
        _inside_viewport(bob, test_id)
    _no_sideways_scroll(bob)


def test_transfer_list_says_who_can_take_it_and_the_button_needs_a_colleague(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    expect(ann.get_by_test_id("message-input")).to_be_enabled()
    expect(ann.get_by_test_id("transfer")).to_be_hidden()  # nobody else logged in

    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "on_break")
    expect(ann.get_by_test_id("transfer")).to_be_visible()
    ann.get_by_test_id("transfer").click()
    option = ann.get_by_test_id("transfer-option")
    expect(option).to_have_count(1)
    expect(option).to_have_attribute("data-group", "later")
    expect(option).to_contain_text("Bob — On break")
    expect(option).to_contain_text("not taking new dialogs")
    ann.get_by_test_id("transfer-cancel").click()

    ui.set_status(bob, "connected")
    ann.get_by_test_id("transfer").click()
    expect(option).to_have_attribute("data-group", "now")
    expect(option).to_have_text("Bob — Connected, 0 of 3 dialogs")
    ann.get_by_test_id("transfer-cancel").click()


def test_closing_asks_first_and_the_closing_line_reads_once(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("close-dialog").click()
    expect(ann.get_by_test_id("close-confirm")).to_be_visible()
    expect(ann.get_by_test_id("close-confirm-text")).to_contain_text("Vera")
    expect(ann.get_by_test_id("close-keep")).to_be_focused()
    ann.keyboard.press("Enter")  # the default keeps it open
    expect(ann.get_by_test_id("close-confirm")).to_be_hidden()
    expect(ann.get_by_test_id("message-input")).to_be_enabled()

    ann.get_by_test_id("close-dialog").click()
    ann.keyboard.press("Tab")
    expect(ann.get_by_test_id("close-confirm-submit")).to_be_focused()
    ann.keyboard.press("Enter")
    expect(ann.get_by_test_id("dialog-gone")).to_have_text("This dialog is closed.")
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()
    expect(ann.get_by_test_id("history").get_by_text("Dialog closed by")).to_have_text(
        "Dialog closed by the operator."
    )


def test_a_draft_survives_a_reload_per_dialog(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    ui.visitor(new_page, server, "Vera")
    ui.visitor(new_page, server, "Walt")
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("message-input").press_sequentially("Half a reply for Vera")
    ui.tab(ann, "Walt").click()
    expect(ann.get_by_test_id("message-input")).to_have_value("")
    ann.get_by_test_id("message-input").press_sequentially("For Walt")

    ann.reload()
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    ui.tab(ann, "Vera").click()
    expect(ann.get_by_test_id("message-input")).to_have_value("Half a reply for Vera")
    ui.tab(ann, "Walt").click()
    expect(ann.get_by_test_id("message-input")).to_have_value("For Walt")
    ann.get_by_test_id("message-input").press("Enter")
    expect(ui.console_texts(ann)).to_have_text(["For Walt"])
    ann.reload()
    ui.tab(ann, "Walt").click()
    expect(ann.get_by_test_id("message-input")).to_have_value("")


def test_the_console_starts_in_the_configured_status(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage
) -> None:
    server = server_with_config('[server]\ninitial_operator_status = "no_new_dialog"\n')
    ann = ui.operator(new_page, server, "ann")
    picker = ann.get_by_test_id("status-select")
    expect(picker).to_have_attribute("data-status", "no_new_dialog")
    expect(picker).to_have_value("no_new_dialog")
    vera = ui.visitor(new_page, server, "Vera")
    expect(ann.get_by_test_id("queue-count")).to_have_text("1")
    ui.set_status(ann, "connected")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
