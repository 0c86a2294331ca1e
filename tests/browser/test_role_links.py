"""The way between a user's pages: the console's manager-view icon, shown only to users
who hold the manager role, and the manager view's link back to the console for those who
are operators too (roles are a set)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_an_operator_without_manager_rights_sees_no_manager_icon(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = ui.operator(new_page, server, "ann")
    expect(ann.get_by_test_id("me")).to_have_text("Ann")
    expect(ann.get_by_test_id("to-manager")).to_be_hidden()
    expect(ann.get_by_role("link", name="Manager view")).to_have_count(0)


def test_an_operator_and_manager_reaches_the_manager_view_from_the_console_and_back(
    server: Server, new_page: ui.NewPage
) -> None:
    sam = ui.operator(new_page, server, "sam")
    link = sam.get_by_role("link", name="Manager view")
    expect(link).to_be_visible()
    link.focus()
    sam.keyboard.press("Enter")
    expect(sam).to_have_url(server.url("/manager"))
    expect(sam.get_by_test_id("connection")).to_have_text("Online")
    back = sam.get_by_role("link", name="Console")
    expect(back).to_be_visible()
    back.click()
    expect(sam).to_have_url(server.url("/console"))
    expect(sam.get_by_test_id("connection")).to_have_text("Online")


def test_the_icon_keeps_its_name_at_375_px(server: Server, new_page: ui.NewPage) -> None:
    sam = ui.operator(new_page, server, "sam")
    sam.set_viewport_size({"width": 375, "height": 700})
    link = sam.get_by_test_id("to-manager")
    expect(link).to_be_visible()
    expect(link).to_have_accessible_name("Manager view")
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375


def test_a_manager_only_user_sees_no_console_link(server: Server, new_page: ui.NewPage) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    expect(maria.get_by_test_id("me")).to_have_text("Maria")
    expect(maria.get_by_test_id("to-console")).to_be_hidden()
