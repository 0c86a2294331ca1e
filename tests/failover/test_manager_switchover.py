"""The manager view's "Return to main node" button, in Chromium, on a real cluster.

Real processes on loopback (``failover_procs``): a witness, node ``a`` (primary) and
node ``b`` (backup). ``a`` is killed with SIGKILL, ``b`` takes over, ``a`` restarts and
catches up as backup. The manager logs in on ``a`` (the main node: the page comes from
it) and presses the button: the page posts the switchover to ``b`` with the session
cookie made by ``a`` (a signed token: ``b`` accepts it), and shows ``a`` primary again.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import trio
from failover_procs import NodeProc, ProcCluster, wait_health
from playwright.sync_api import ConsoleMessage, expect, sync_playwright

from frontdesk.adapters.accounts import Accounts, PasswordHashing

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("FRONTDESK_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "manager-password"
# The page's sockets to a backup are refused (503 naming the primary) and the browser logs
# each refused or broken socket and the opaque no-cors POST as console errors: expected here.
EXPECTED_ERRORS = re.compile(r"WebSocket connection|ERR_CONNECTION_REFUSED|503|Failed to load")


def prepare_accounts(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    with Accounts(data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as accounts:
        accounts.create_user("maria", "Maria", "manager", PASSWORD)


def run_in_thread(fn: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="chromium")
    thread.start()
    thread.join(timeout=100)
    assert not thread.is_alive(), "the browser session did not end within 100 s"
    if errors:
        raise errors[0]


async def fail_over_and_back(cl: ProcCluster) -> tuple[NodeProc, NodeProc]:
    """a primary, b backup; kill a, b takes over; a restarts as a caught-up backup."""
    cl.start_witness()
    a = cl.add("a", "primary")
    b = cl.add("b", "backup")
    prepare_accounts(a.data_dir)  # b has no maria of this password: only a's token
    cl.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cl.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    cl.signal("a", signal.SIGKILL)
    await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
    cl.start("a")
    await wait_health(a, lambda h: h["role"] == "backup" and h["link"] == "up"
                      and h["caught_up"], timeout=60)
    return a, b


def test_the_manager_returns_the_primary_role_to_the_main_node(cluster: ProcCluster) -> None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"expected Chromium at {CHROMIUM} (apt-get install chromium), found nothing")
    a, b = trio.run(fail_over_and_back, cluster)
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error" and not EXPECTED_ERRORS.search(msg.text):
            problems.append(msg.text)

    def in_chromium() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_context().new_page()
                page.on("console", on_console)
                page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
                page.goto(a.url + "/manager")
                expect(page).to_have_url(re.compile(r"/login\?next="))
                page.get_by_test_id("login-name").fill("maria")
                page.get_by_test_id("login-password").fill(PASSWORD)
                page.get_by_test_id("login-submit").click()
                expect(page).to_have_url(a.url + "/manager")

                pill = page.get_by_test_id("cluster")
                expect(pill).to_have_attribute("data-role", "backup", timeout=15_000)
                button = page.get_by_test_id("switchover")
                expect(button).to_be_visible()
                button.click()
                expect(page.get_by_test_id("banner")).to_contain_text(
                    "this node is primary again", timeout=30_000)
                expect(pill).to_have_attribute("data-role", "primary")
                expect(button).to_be_hidden()
            finally:
                browser.close()

    # In a thread of its own: the browser tests' session-wide playwright may be running in
    # this one, and a second sync playwright refuses to start beside it in the same thread.
    run_in_thread(in_chromium)

    async def roles() -> None:
        await wait_health(a, lambda h: h["role"] == "primary", timeout=10)
        await wait_health(b, lambda h: h["role"] == "backup", timeout=30)

    trio.run(roles)
    assert problems == [], problems
