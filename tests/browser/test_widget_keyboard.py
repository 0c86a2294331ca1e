"""The widget by keyboard on a phone-sized screen (issue 17, finding 6): focus follows
the chat, Esc closes, touch targets of 44 px, a 16 px text box, messages announced."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from . import pages as ui
from .pages import PageWatch
from .server import Server

pytestmark = pytest.mark.browser


def test_keyboard_only_start_of_a_chat_at_375_px(
    server: Server, browser: Browser, watch: PageWatch, new_page: ui.NewPage
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    context = browser.new_context(viewport={"width": 375, "height": 700}, has_touch=True)
    try:
        vera = watch.attach(context.new_page(), "visitor on a phone")
        vera.goto(server.url("/demo"))
        launcher = vera.get_by_test_id("fd-launcher")
        # The widget shows once its style sheet has loaded; a person presses what they see
        # (press() does not wait for that: on a loaded machine Enter went to the page).
        expect(launcher).to_be_visible()
        launcher.press("Enter")  # focused, then Enter, in one step
        expect(vera.get_by_test_id("fd-name")).to_be_focused()
        vera.keyboard.type("Vera")
        vera.keyboard.press("Enter")  # submits the start form
        # Typed at once, before the chat is even open: nothing is lost.
        expect(vera.get_by_test_id("fd-input")).to_be_focused()
        vera.keyboard.type("Hello, is anyone there?")
        expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
        expect(vera.get_by_test_id("fd-input")).to_have_value("Hello, is anyone there?")
        vera.keyboard.press("Enter")
        expect(ui.widget_texts(vera)).to_have_text(["Hello, is anyone there?"])

        # Mobile sizes: 16 px text box, buttons at least 44 px.
        size = vera.get_by_test_id("fd-input").evaluate("e => getComputedStyle(e).fontSize")
        assert size == "16px", f"expected a 16px message box on a phone, got {size}"
        for test_id in ("fd-send", "fd-close", "fd-minimize"):
            box = vera.get_by_test_id(test_id).bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44, (
                f"{test_id}: expected a touch target of at least 44x44 px, got {box}")

        # The operator's answer is read out.
        ui.tab(ann, "Vera").click()
        ui.console_say(ann, "Yes, Ann here.")
        expect(vera.get_by_test_id("fd-said")).to_have_text("Ann: Yes, Ann here.")
        expect(vera.get_by_test_id("fd-said")).to_have_attribute("aria-live", "polite")

        # Esc closes the panel and gives the focus back to the launcher; Enter opens it again.
        vera.get_by_test_id("fd-input").focus()
        vera.keyboard.press("Escape")
        expect(vera.get_by_test_id("fd-panel")).to_be_hidden()
        expect(launcher).to_be_focused()
        vera.keyboard.press("Enter")
        expect(vera.get_by_test_id("fd-input")).to_be_focused()
    finally:
        context.close()


def test_the_console_tabs_sit_in_a_tablist(server: Server, new_page: ui.NewPage) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    ui.visitor(new_page, server, "Vera")
    expect(ui.tab(ann, "Vera")).to_have_attribute("role", "tab")
    expect(ann.get_by_role("tablist", name="Dialogs").get_by_role("tab")).to_have_count(1)
