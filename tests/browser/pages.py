"""What a person does in the pages, as functions the browser tests share."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Dialog, Locator, Page, expect

from .server import REPO, Server

ARTIFACTS = REPO / "artifacts"

NewPage = Callable[[str], Page]


class PageWatch:
    """What went wrong in the pages: script errors, console errors, alert() and friends."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """A console error the test expects (e.g. the browser logging an HTTP 401)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, name: str, msg: ConsoleMessage) -> None:
        if msg.type != "error" or any(p.search(msg.text) for p in self.allowed):
            return
        self.problems.append(f"{name}: console error: {msg.text}")

    def attach(self, page: Page, name: str) -> Page:
        page.on("pageerror", lambda exc: self.problems.append(f"{name}: page error: {exc}"))
        page.on("console", lambda msg: self.on_console(name, msg))

        def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(f"{name}: {dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page


def save_screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def log_in(
    page: Page, server: Server, login: str, path: str = "/console", *, loaded: bool = True,
) -> Page:
    """Open ``path``, get sent to the login page, log in, land back on ``path`` (and wait
    for it to have loaded, unless ``loaded`` is false: a test holding back a script)."""
    account = server.accounts[login]
    page.goto(server.url(path))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_test_id("login-name").fill(account.login)
    page.get_by_test_id("login-password").fill(account.password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url(path))
    # the page's modules have run (they bind the controls) before a test clicks anything; a
    # person clicking that early finds the controls that need them disabled
    if loaded:
        page.wait_for_load_state("load")
    return page


def operator(new_page: NewPage, server: Server, login: str) -> Page:
    """An operator's console, logged in and connected."""
    page = log_in(new_page(login), server, login)
    expect(page.get_by_test_id("connection")).to_have_text("Online")
    expect(page.get_by_test_id("status-select")).to_be_enabled()
    return page


def set_status(console: Page, status: str) -> None:
    console.get_by_test_id("status-select").select_option(status)
    expect(console.get_by_test_id("status-select")).to_have_attribute("data-status", status)


def visitor(new_page: NewPage, server: Server, name: str) -> Page:
    """A visitor on the demo page who opened the widget and started a chat."""
    page = new_page(f"visitor {name}")
    page.goto(server.url("/demo"))
    page.get_by_test_id("fd-launcher").click()
    page.get_by_test_id("fd-name").fill(name)
    page.get_by_test_id("fd-start").click()
    expect(page.get_by_test_id("fd-chat")).to_be_visible()
    return page


def widget_say(page: Page, text: str) -> None:
    page.get_by_test_id("fd-input").fill(text)
    page.get_by_test_id("fd-input").press("Enter")


def console_say(page: Page, text: str) -> None:
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("message-input").press("Enter")


def tab(console: Page, visitor_name: str) -> Locator:
    return console.get_by_test_id("tab").filter(
        has=console.get_by_test_id("tab-name").get_by_text(visitor_name, exact=True)
    )


def widget_texts(page: Page) -> Locator:
    """The texts of the messages in the widget (posted ones, not those still sending)."""
    return page.get_by_test_id("fd-msg").get_by_test_id("fd-msg-text")


def console_texts(page: Page) -> Locator:
    return page.get_by_test_id("history").get_by_test_id("msg-text")


def close_dialog(console: Page) -> None:
    """Close the open dialog: the button, then the confirmation."""
    console.get_by_test_id("close-dialog").click()
    console.get_by_test_id("close-confirm-submit").click()
