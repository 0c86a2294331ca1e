"""The operator's status reaches the visitor: "looking for information" and its reminder."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

SHORT_REMINDER = """
[engine]
looking_for_info_reminder_delay_s = 1.0
looking_for_info_reminder_interval_s = 60.0
"""


def test_looking_for_information_notice_and_reminder_reach_the_visitor(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage
) -> None:
    server = server_with_config(SHORT_REMINDER)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")

    ui.set_status(ann, "looking_for_information")
    notices = vera.locator("[data-kind='dialog.looking_for_info']")
    expect(notices.first).to_have_text("Ann is looking for information. Please wait a moment.")
    # After the configured delay, the reminder.
    expect(notices.nth(1)).to_have_text(
        "Ann is still looking for information. Thank you for waiting."
    )
    ui.save_screenshot(vera, "widget-looking-for-information.png")

    # The operator sees in the history what the visitor was told.
    ui.tab(ann, "Vera").click()
    told = ann.get_by_test_id("history").locator("[data-kind='dialog.looking_for_info']")
    expect(told.first).to_contain_text("looking for information")
