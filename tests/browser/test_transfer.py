"""A transfer between two operators, each in their own browser context."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_transfer_shows_the_marker_the_transferrer_and_the_note(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "no_new_dialog")  # so the dialog goes to Ann
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "I want to upgrade my plan.")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "One moment, billing will help you.")
    expect(ui.widget_texts(vera)).to_have_count(2)

    # The transfer dialog lists the other logged-in operator.
    ann.get_by_test_id("transfer").click()
    expect(ann.get_by_test_id("transfer-dialog")).to_be_visible()
    expect(ann.get_by_test_id("transfer-option")).to_have_count(1)
    expect(ann.get_by_test_id("transfer-option")).to_contain_text("Bob")
    ann.get_by_test_id("transfer-to").select_option("bob")
    ann.get_by_test_id("transfer-note").fill("Gold plan upgrade, already verified")
    ann.get_by_test_id("transfer-submit").click()

    # Bob's new tab: flashing, an arrow, who transferred it, and the note.
    bob_tab = ui.tab(bob, "Vera")
    expect(bob_tab).to_have_class(re.compile(r"\bflash\b"))
    expect(bob_tab.get_by_test_id("tab-transfer")).to_contain_text("⇄")
    expect(bob_tab.get_by_test_id("tab-transfer-from")).to_have_text("from Ann")
    expect(bob_tab.get_by_test_id("tab-transfer-note")).to_have_text(
        "Gold plan upgrade, already verified"
    )
    ui.save_screenshot(bob, "console-transferred.png")
    bob_tab.click()
    expect(bob.get_by_test_id("chat-transfer")).to_contain_text("transferred by Ann")
    # The whole history came along.
    expect(ui.console_texts(bob)).to_have_text(
        ["I want to upgrade my plan.", "One moment, billing will help you."]
    )

    # Ann no longer holds it; the visitor is told, and now talks with Bob.
    expect(ui.tab(ann, "Vera").get_by_text("transferred")).to_be_visible()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Bob")
    expect(vera.locator("[data-kind='dialog.transferred']")).to_have_text(
        "Your chat was transferred to Bob."
    )
    ui.console_say(bob, "Hi Vera, Bob from billing here.")
    expect(ui.widget_texts(vera)).to_have_text(
        [
            "I want to upgrade my plan.",
            "One moment, billing will help you.",
            "Hi Vera, Bob from billing here.",
        ]
    )
