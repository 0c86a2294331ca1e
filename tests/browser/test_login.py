"""Logging in: wrong password, redirect back to the page asked for, roles."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_then_login_returns_to_the_console(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(r"status of 401")  # the browser logs the refused POST /api/login
    page = new_page("ann")
    page.goto(server.url("/console"))
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fconsole|/login\?next=/console"))
    page.get_by_test_id("login-name").fill("ann")
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong login or password.")
    page.get_by_test_id("login-password").fill(server.accounts["ann"].password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url("/console"))
    expect(page.get_by_test_id("me")).to_have_text("Ann")
    expect(page.get_by_test_id("node")).not_to_have_text("—")


def test_a_manager_lands_on_the_manager_view(server: Server, new_page: ui.NewPage) -> None:
    page = new_page("maria")
    page.goto(server.url("/login"))
    page.get_by_test_id("login-name").fill("maria")
    page.get_by_test_id("login-password").fill(server.accounts["maria"].password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url("/manager"))
    expect(page.get_by_test_id("connection")).to_have_text("Online")


def test_logout_ends_the_session(server: Server, new_page: ui.NewPage) -> None:
    page = ui.operator(new_page, server, "ann")  # online: the console has started
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(server.url("/console"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
