"""The operator console through a failover and back, in Chromium, on a real cluster.

Real processes on loopback (``failover_procs``): a witness, node ``a`` (primary, the
"main" node: the console page comes from it) and ``b`` (backup). What must hold:
when ``a`` is killed with SIGKILL the console moves to ``b`` by itself (its session,
signed with the cluster secret, is valid there); when ``a`` is back as a caught-up
backup the console shows the "main node is back" banner, as the old manual did; and
after the switchover back the console is on ``a`` again, banner gone, without the
operator doing anything.
"""

from __future__ import annotations

import base64
import re
import signal

import pytest
import trio
from failover_procs import NodeProc, ProcCluster, wait_health
from playwright.sync_api import expect, sync_playwright
from test_manager_switchover import (
    CHROMIUM,
    EXPECTED_ERRORS,
    PASSWORD,
    prepare_accounts,
    run_in_thread,
)

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.client import http_request

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def add_operator(node: NodeProc) -> None:
    with Accounts(node.data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as acc:
        acc.create_user("ann", "Ann", "operator", PASSWORD)


async def start_pair(cl: ProcCluster) -> tuple[NodeProc, NodeProc]:
    cl.start_witness()
    a = cl.add("a", "primary")
    b = cl.add("b", "backup")
    for node in (a, b):  # maria is needed on b for the switchover by HTTP Basic
        prepare_accounts(node.data_dir)
    add_operator(a)  # ann only on a: on b her signed session is what identifies her
    cl.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cl.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    return a, b


async def kill_main(cl: ProcCluster, b: NodeProc) -> None:
    cl.signal("a", signal.SIGKILL)
    await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)


async def restart_main(cl: ProcCluster, a: NodeProc) -> None:
    cl.start("a")
    await wait_health(
        a, lambda h: h["role"] == "backup" and h["link"] == "up" and h["caught_up"], timeout=60
    )


async def switch_back(a: NodeProc, b: NodeProc) -> None:
    token = base64.b64encode(f"maria:{PASSWORD}".encode()).decode()
    response = await http_request(
        "POST",
        b.url + "/api/cluster/switchover",
        headers={"Authorization": f"Basic {token}"},
        timeout_s=60,
    )
    assert response.status == 200, response.body
    await wait_health(a, lambda h: h["role"] == "primary" and h["ready"], timeout=30)


def test_the_console_follows_the_failover_sees_main_back_and_returns(
    cluster: ProcCluster,
) -> None:
    a, b = trio.run(start_pair, cluster)
    problems: list[str] = []

    def in_chromium() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_context().new_page()
                page.on(
                    "console",
                    lambda m: (
                        problems.append(m.text)
                        if m.type == "error" and not EXPECTED_ERRORS.search(m.text)
                        else None
                    ),
                )
                page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
                page.goto(a.url + "/console")
                page.get_by_test_id("login-name").fill("ann")
                page.get_by_test_id("login-password").fill(PASSWORD)
                page.get_by_test_id("login-submit").click()
                node = page.get_by_test_id("node")
                expect(node).to_have_text(re.compile(rf"^(a|{re.escape(a.url)})$"), timeout=30_000)
                banner = page.get_by_test_id("banner")

                trio.run(kill_main, cluster, b)
                expect(node).to_have_text(re.compile(rf"^(b|{re.escape(b.url)})$"), timeout=60_000)
                expect(page.get_by_test_id("connection")).to_have_text("Online")

                trio.run(restart_main, cluster, a)
                expect(banner).to_be_visible(timeout=30_000)
                expect(banner).to_contain_text("main node is back")

                trio.run(switch_back, a, b)
                expect(node).to_have_text(re.compile(rf"^(a|{re.escape(a.url)})$"), timeout=60_000)
                expect(banner).to_be_hidden(timeout=30_000)
            finally:
                browser.close()

    run_in_thread(in_chromium)
    assert problems == [], problems
