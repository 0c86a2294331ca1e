"""The README's pictures: a busy console and the widget on the demo page.

Saved to artifacts/ (readme-console.png, readme-widget.png); docs/img/ holds
the copies the README shows.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_a_busy_console_and_the_widget(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(ann, "on_break")
    ui.set_status(bob, "connected")

    # Bob takes Jonas, then hands him to Ann with a note.
    jonas = ui.visitor(new_page, server, "Jonas")
    expect(jonas.get_by_test_id("fd-status")).to_have_text("Chatting with Bob")
    ui.widget_say(jonas, "My invoice shows the Silver plan, but I paid for Gold.")
    ui.set_status(bob, "no_new_dialog")
    ui.set_status(ann, "connected")
    ui.tab(bob, "Jonas").click()
    bob.get_by_test_id("transfer").click()
    bob.get_by_test_id("transfer-to").select_option("ann")
    bob.get_by_test_id("transfer-note").fill("Billing: paid Gold, invoice says Silver")
    bob.get_by_test_id("transfer-submit").click()
    expect(ui.tab(ann, "Jonas").get_by_test_id("tab-transfer-from")).to_have_text("from Bob")

    # Vera and Ann talk; Vera is important.
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "Hello! Is my bike ready for pick-up?")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Hi Vera! Let me check with the workshop.")
    ui.widget_say(vera, "Thanks — it's the blue touring bike, order 4711.")
    ui.console_say(ann, "Found it: ready since this morning. We're open until 18:00.")
    expect(ui.widget_texts(vera)).to_have_count(4)
    ann.get_by_test_id("important").click()
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-important")).to_be_visible()
    vera.get_by_test_id("fd-input").press_sequentially("Great, I")
    expect(ann.get_by_test_id("visitor-typing")).to_be_visible()

    # A new visitor arrives: a flashing tab.
    ui.visitor(new_page, server, "Walt")
    expect(ui.tab(ann, "Walt")).to_have_class(re.compile(r"\bflash\b"))
    ui.widget_say(jonas, "Are you still there?")
    expect(ui.tab(ann, "Jonas").get_by_test_id("tab-wait")).to_have_text(re.compile(r"\d:\d\d"))
    expect(ui.console_texts(ann)).to_have_count(4)

    ui.save_screenshot(ann, "readme-console.png")
    ui.save_screenshot(vera, "readme-widget.png")
