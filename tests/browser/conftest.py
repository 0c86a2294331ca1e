"""Fixtures of the browser tests: headless Debian Chromium through playwright's
sync API (plain test functions, so pytest-trio leaves them alone), a real
``frontdesk serve`` per test, and a watch on every page for script errors,
console errors and alert dialogs (none is expected, ever)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from .pages import PageWatch
from .server import Server, running_server

CHROMIUM = os.environ.get("FRONTDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXPECT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"expected Chromium at {CHROMIUM} (apt-get install chromium), found nothing")
    with sync_playwright() as p:
        expect.set_options(timeout=EXPECT_TIMEOUT_MS)
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def watch() -> Iterator[PageWatch]:
    watch = PageWatch()
    yield watch
    assert watch.dialogs == [], f"a page opened a dialog (script ran): {watch.dialogs}"
    assert watch.problems == [], f"errors in the pages: {watch.problems}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path) as server:
        yield server


@pytest.fixture
def server_with_config(tmp_path: Path) -> Iterator[Callable[[str], Server]]:
    """Start a server with a TOML configuration (at most one per test)."""
    with contextlib.ExitStack() as stack:
        yield lambda config_text: stack.enter_context(running_server(tmp_path, config_text))


@pytest.fixture
def new_page(browser: Browser, watch: PageWatch) -> Iterator[Callable[[str], Page]]:
    """A page in a fresh browser context (own cookies and sessionStorage), watched."""
    contexts: list[BrowserContext] = []

    def make(name: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 760})
        contexts.append(context)
        return watch.attach(context.new_page(), name)

    yield make
    for context in contexts:
        context.close()
