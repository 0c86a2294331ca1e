"""A visitor on the demo page and an operator in the console hold a conversation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_visitor_and_operator_hold_a_conversation(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "on_break")
    vera = ui.visitor(new_page, server, "Vera")

    # Nobody takes dialogs yet: the visitor waits, first in the queue, and says so.
    expect(vera.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    expect(ann.get_by_test_id("queue-count")).to_have_text("1")
    ui.widget_say(vera, "Hello, is my bike ready?")
    expect(ui.widget_texts(vera)).to_have_text(["Hello, is my bike ready?"])

    ui.set_status(ann, "connected")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(ann.get_by_test_id("queue-count")).to_have_text("0")

    # The new dialog's tab flashes until it is opened; its waiting time runs.
    vera_tab = ui.tab(ann, "Vera")
    expect(vera_tab).to_have_class(re.compile(r"\bflash\b"))
    expect(vera_tab.get_by_test_id("tab-wait")).to_have_text(re.compile(r"^\d+:\d\d$"))
    animation = vera_tab.evaluate("el => getComputedStyle(el).animationName")
    assert animation == "fd-flash"
    ui.save_screenshot(ann, "console-new-dialog.png")
    vera_tab.click()
    expect(vera_tab).not_to_have_class(re.compile(r"\bflash\b"))

    # The visitor panel shows the widget tag's data-info-* fields.
    expect(ann.get_by_test_id("info-name")).to_have_text("Vera")
    expect(ann.get_by_test_id("info-plan")).to_have_text("Gold")
    expect(ui.console_texts(ann)).to_have_text(["Hello, is my bike ready?"])

    # Typing indicators, both ways.
    ann.get_by_test_id("message-input").press_sequentially("Let me")
    expect(vera.get_by_test_id("fd-typing")).to_have_text("Ann is typing…")
    vera.get_by_test_id("fd-input").press_sequentially("Tha")
    expect(ann.get_by_test_id("visitor-typing")).to_have_text("Vera is typing…")
    vera.get_by_test_id("fd-input").fill("")

    ui.console_say(ann, "Let me check — yes, it is ready.")
    expect(ui.widget_texts(vera)).to_have_text(
        ["Hello, is my bike ready?", "Let me check — yes, it is ready."]
    )
    expect(vera.get_by_test_id("fd-typing")).to_be_hidden()
    # Answered: no waiting time any more.
    expect(vera_tab.get_by_test_id("tab-wait")).to_have_text("")

    ui.widget_say(vera, "Great, thanks!")
    expect(ui.console_texts(ann)).to_have_text(
        ["Hello, is my bike ready?", "Let me check — yes, it is ready.", "Great, thanks!"]
    )
    expect(vera_tab.get_by_test_id("tab-wait")).to_have_text(re.compile(r"^\d+:\d\d$"))
    ui.save_screenshot(ann, "console.png")
    ui.save_screenshot(vera, "widget.png")

    # With the panel minimized, an answer shows as a badge on the button.
    vera.get_by_test_id("fd-minimize").click()
    expect(vera.get_by_test_id("fd-panel")).to_be_hidden()
    ui.console_say(ann, "You're welcome!")
    expect(vera.get_by_test_id("fd-unread")).to_have_text("1")
    vera.get_by_test_id("fd-launcher").click()
    expect(ui.widget_texts(vera).last).to_have_text("You're welcome!")
    expect(vera.get_by_test_id("fd-unread")).to_be_hidden()

    # The operator closes; the widget shows the end.
    ui.close_dialog(ann)
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chat ended")
    expect(ann.get_by_test_id("dialog-gone")).to_have_text("This dialog is closed.")
    ui.save_screenshot(vera, "widget-closed.png")


def test_the_visitor_can_end_the_chat(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    walt = ui.visitor(new_page, server, "Walt")
    expect(walt.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")

    walt.get_by_test_id("fd-close").click()
    expect(walt.get_by_test_id("fd-ended")).to_be_visible()
    walt_tab = ui.tab(ann, "Walt")
    walt_tab.click()
    expect(ann.get_by_test_id("history").locator("[data-kind='dialog.closed']")).to_have_count(1)
    expect(ann.get_by_test_id("dialog-gone")).to_have_text("This dialog is closed.")

    # A new chat starts afresh: a new dialog, a new tab.
    walt.get_by_test_id("fd-new-chat").click()
    walt.get_by_test_id("fd-name").fill("Walt again")
    walt.get_by_test_id("fd-start").click()
    expect(walt.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(ui.widget_texts(walt)).to_have_count(0)
    expect(ui.tab(ann, "Walt again")).to_have_class(re.compile(r"\bflash\b"))


def test_status_selector_offers_the_seven_statuses(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    options = ann.get_by_test_id("status-select").locator("option")
    expect(options).to_have_text(
        [
            "Connected",
            "On break",
            "Training",
            "Phone",
            "Talking with supervisor",
            "No new dialog",
            "Looking for information",
        ]
    )
    # A status that takes no dialogs keeps the visitor waiting.
    ui.set_status(ann, "phone")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    ui.set_status(ann, "connected")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
