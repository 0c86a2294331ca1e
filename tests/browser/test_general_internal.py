"""General internal messages (issue 16), in Chromium: a manager writes to an operator about
no dialog; the console's general Internal tab counts it unread, shows it, and the operator's
answer reaches the manager view; a reload of the console keeps the conversation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_a_manager_and_an_operator_talk_outside_any_dialog(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    expect(maria.get_by_test_id("general-to")).to_have_text("Ann")

    maria.get_by_test_id("general-input").fill("Team meeting at 4")
    maria.get_by_test_id("general-send").click()
    expect(ann.get_by_test_id("general-unread")).to_have_text("1")
    ann.get_by_test_id("general-tab").click()
    expect(ann.get_by_test_id("general-history")).to_contain_text("Team meeting at 4")
    expect(ann.get_by_test_id("general-unread")).to_be_hidden()
    ann.get_by_test_id("general-input").fill("I will be there")
    ann.get_by_test_id("general-input").press("Enter")
    expect(maria.get_by_test_id("general-history")).to_contain_text("Ann to the managers")
    expect(maria.get_by_test_id("general-history")).to_contain_text("I will be there")

    ann.reload()
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    expect(ann.get_by_test_id("general-msg")).to_have_count(2)
    expect(ann.get_by_test_id("general-unread")).to_be_hidden()  # read before the reload
