"""Return to main after a failover (issue 13, finding 8), on a real cluster of processes.

A witness, node ``a`` (primary: "main", the console page comes from it) and ``b``.
``a`` is killed with SIGKILL, ``b`` takes over, ``a`` restarts and catches up as
backup. Then:

* with ``cluster.operators_may_switch_back = true`` the operator's banner offers
  "Return to main"; pressing it (by keyboard) switches back with her session and
  the console follows to ``a``;
* without it (the default) the operator sees the banner and no button, the
  switchover endpoint refuses her session (403, not a Basic-auth prompt), and with
  ``cluster.failback = "manual"`` nothing switches back by itself;
* with ``cluster.failback = "auto"`` ``b`` hands the role back once ``a`` has been
  caught up for ``cluster.failback_after_s``, not before.
"""

from __future__ import annotations

import re
import signal
import time
from typing import Any

import pytest
import trio
from failover_procs import NodeProc, ProcCluster, health, start_pair, wait_health
from playwright.sync_api import Page, expect, sync_playwright
from test_manager_switchover import CHROMIUM, EXPECTED_ERRORS, run_in_thread

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.failback import FailbackWatch

PASSWORD = "ann-password-1"
AFTER_S = 3.0


async def start(cl: ProcCluster) -> tuple[NodeProc, NodeProc]:
    data_dir = cl.tmp / "a"  # start_pair's node a keeps its data there
    data_dir.mkdir(parents=True, exist_ok=True)
    with Accounts(data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as acc:
        acc.create_user("ann", "Ann", "operator", PASSWORD)
    return await start_pair(cl)


async def kill_main_and_bring_it_back(cl: ProcCluster, a: NodeProc, b: NodeProc) -> float:
    """Kill a, b takes over, a restarts: the time a is first seen as a caught-up backup."""
    cl.signal("a", signal.SIGKILL)
    await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
    cl.start("a")
    await wait_health(
        a, lambda h: h["role"] == "backup" and h["link"] == "up" and h["caught_up"], timeout=60
    )
    return time.monotonic()


def console(page: Page, a: NodeProc) -> None:
    page.goto(a.url + "/console")
    page.get_by_test_id("login-name").fill("ann")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("node")).to_have_text("a", timeout=30_000)


def in_chromium(check: Any) -> list[str]:
    problems: list[str] = []

    def run() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_context().new_page()
                page.on("console", lambda m: problems.append(m.text)
                        if m.type == "error" and not EXPECTED_ERRORS.search(m.text) else None)
                page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
                check(page)
            finally:
                browser.close()

    run_in_thread(run)
    return problems


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_an_operator_allowed_by_the_setting_returns_the_chat_to_main(
    cluster: ProcCluster,
) -> None:
    cluster.timings["operators_may_switch_back"] = "true"
    a, b = trio.run(start, cluster)

    def check(page: Page) -> None:
        console(page, a)
        trio.run(kill_main_and_bring_it_back, cluster, a, b)
        expect(page.get_by_test_id("node")).to_have_text("b", timeout=30_000)
        button = page.get_by_test_id("banner-action")
        expect(button).to_have_text("Return to main", timeout=30_000)
        expect(page.get_by_test_id("banner")).to_have_attribute("role", "status")
        button.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("banner-text")).to_contain_text("Done", timeout=30_000)
        expect(page.get_by_test_id("node")).to_have_text("a", timeout=30_000)
        trio.run(wait_health, a, lambda h: h["role"] == "primary" and h["ready"])
        expect(page.get_by_test_id("connection")).to_have_text("Online")
        expect(page.get_by_test_id("banner")).to_be_hidden(timeout=15_000)

    assert in_chromium(check) == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_without_the_setting_an_operator_gets_no_button_and_manual_never_switches(
    cluster: ProcCluster,
) -> None:
    cluster.timings["failback_after_s"] = "1.0"  # manual (the default): the delay is not used
    a, b = trio.run(start, cluster)
    seen: dict[str, Any] = {}

    def check(page: Page) -> None:
        console(page, a)
        caught_up = trio.run(kill_main_and_bring_it_back, cluster, a, b)
        banner = page.get_by_test_id("banner")
        expect(banner).to_contain_text("A manager can return the chat", timeout=30_000)
        expect(page.get_by_test_id("banner-action")).to_have_count(0)
        # The server says no as well, to her session: 403, never a Basic-auth prompt.
        seen["answer"] = page.evaluate(
            """async (url) => { const r = await fetch(url + "/api/cluster/switchover",
                 { method: "POST", credentials: "include" });
               return { status: r.status, auth: r.headers.get("www-authenticate"),
                        body: await r.json() }; }""",
            b.url,
        )
        seen["caught_up"] = caught_up

    assert in_chromium(check) == []
    answer = seen["answer"]
    assert answer["status"] == 403, answer
    assert answer["auth"] is None
    assert "operators_may_switch_back" in answer["body"]["error"]["message"]

    async def stays_backup() -> list[str]:
        roles = []
        with trio.move_on_after(1.0 + 3.0):  # failback_after_s and then some
            while True:
                got = await health(a)
                roles.append(got["role"] if got else "?")
                await trio.sleep(0.1)
        return roles

    roles = trio.run(stays_backup)
    assert set(roles) == {"backup"}, roles


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_auto_failback_switches_back_once_main_was_caught_up_long_enough(
    cluster: ProcCluster,
) -> None:
    cluster.timings.update(failback="auto", failback_after_s=str(AFTER_S))
    a, b = trio.run(start, cluster)
    caught_up = trio.run(kill_main_and_bring_it_back, cluster, a, b)
    trio.run(wait_health, a, lambda h: h["role"] == "primary" and h["ready"])
    took = time.monotonic() - caught_up
    # Not before failback_after_s (less the poll lag of seeing a caught up), nor long after.
    assert AFTER_S - 0.5 <= took <= AFTER_S + 10, took
    assert re.search(r"failback: main caught up", cluster.log_of("b")), cluster.log_of("b")[-2000:]


def test_the_watch_needs_main_in_sync_without_a_break() -> None:
    synced = {"role": "primary", "ready": True, "link": "up", "caught_up": True}
    watch = FailbackWatch(after_s=5.0)
    assert [watch.observe(synced, t) for t in (0.0, 4.9)] == [False, False]
    assert watch.observe({**synced, "caught_up": False}, 5.0) is False  # a break: start over
    assert [watch.observe(synced, t) for t in (6.0, 10.9, 11.0)] == [False, False, True]
    assert watch.observe({**synced, "role": "backup"}, 20.0) is False
