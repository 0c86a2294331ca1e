"""Typing through a failover: every message delivered exactly once, in order (issue 13).

A real cluster of processes on loopback (``tests/failover/failover_procs.py``): a
witness, node ``a`` (primary; the pages come from it) and ``b`` (backup). In
Chromium a visitor (the widget on ``a``'s demo page) and the operator Ann (the
console) each type a message every 150 ms while the cluster goes through:

1. ``a`` paused with SIGSTOP past its lease: ``b`` takes over; the pages notice
   the silent node by their keepalive and move to ``b``;
2. ``a`` resumed (SIGCONT): it learns the newer epoch and rejoins as backup;
3. ``b`` killed with SIGKILL once ``a`` is caught up: ``a`` takes over again.

Afterwards both pages show every message typed on either side exactly once and in
the order it was typed: the outbox kept each one until a primary took it, re-sent
it with its own ref (never doubled), one at a time per dialog (never reordered).
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trio
from playwright.sync_api import Page, expect

from frontdesk.adapters.accounts import Accounts, PasswordHashing

from .pages import NewPage, PageWatch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "failover"))
from failover_procs import NodeProc, ProcCluster, start_pair, wait_health

__all__ = ["ProcCluster", "cluster", "open_pages", "start", "wait_health"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

PASSWORD = "ann-password-1"
PACE_S = 0.15
# Sockets to a paused, dead or not-primary node fail, and Chromium logs each one.
EXPECTED_ERRORS = re.compile(
    r"WebSocket (connection to .* failed|is closed before the connection is established)"
    r"|ERR_CONNECTION_REFUSED|503|Failed to load"
)

WIDGET_MESSAGES = """() => window.frontdeskWidget.session.transcript.entries
    .filter((e) => e.type === "dialog.message").map((e) => [e.author, e.text])"""
CONSOLE_MESSAGES = """() => [...window.frontdeskConsole.model.dialogs.values()][0]
    .transcript.entries.filter((e) => e.type === "dialog.message")
    .map((e) => [e.author, e.text])"""
# The node each page is connected to now (null while it has no socket).
WIDGET_NODE = """() => { const s = window.frontdeskWidget.session;
    return s.link.connected ? s.node : null; }"""
CONSOLE_NODE = """() => { const c = window.frontdeskConsole;
    return c.link.connected ? c.model.node : null; }"""
UNSENT = {
    "widget": "() => window.frontdeskWidget.session.outbox.items.length === 0",
    "console": "() => window.frontdeskConsole.model.outbox.items.length === 0",
}
AT_LEAST = "(n) => ({messages})().length >= n"


class Typing:
    """What the browser thread typed so far; the fault schedule waits on its progress."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.widget: list[str] = []
        self.console: list[str] = []
        self.ready = False
        self.nodes: tuple[str | None, str | None] = (None, None)  # widget's, console's
        self.stop = threading.Event()
        self.failed: BaseException | None = None

    def typed(self, widget: str, console: str, nodes: tuple[str | None, str | None]) -> None:
        with self.cond:
            self.widget.append(widget)
            self.console.append(console)
            self.nodes = nodes
            self.cond.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: predicate() or self.failed is not None, timeout):
                raise AssertionError(f"the browser did not get there within {timeout} s")
        if self.failed is not None:
            raise AssertionError("the browser thread failed") from self.failed

    def wait_typed(self, more: int) -> None:
        goal = len(self.widget) + more
        self.wait(lambda: len(self.widget) >= goal)


async def start(cl: ProcCluster) -> tuple[NodeProc, NodeProc]:
    """The pair of ``start_pair`` with Ann on ``a`` (her account replicates to ``b``)."""
    data_dir = cl.tmp / "a"  # start_pair's node a keeps its data there
    data_dir.mkdir(parents=True, exist_ok=True)
    with Accounts(data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as acc:
        acc.create_user("ann", "Ann", "operator", PASSWORD)
    return await start_pair(cl)


def open_pages(page_of: NewPage, a: NodeProc) -> tuple[Page, Page]:
    ann = page_of("ann")
    ann.goto(a.url + "/console")
    ann.get_by_test_id("login-name").fill("ann")
    ann.get_by_test_id("login-password").fill(PASSWORD)
    ann.get_by_test_id("login-submit").click()
    expect(ann.get_by_test_id("connection")).to_have_text("Online", timeout=30_000)
    ann.get_by_test_id("status-select").select_option("connected")
    expect(ann.get_by_test_id("status-select")).to_have_attribute("data-status", "connected")
    vera = page_of("vera")
    vera.goto(a.url + "/demo")
    vera.get_by_test_id("fd-launcher").click()
    vera.get_by_test_id("fd-name").fill("Vera")
    vera.get_by_test_id("fd-start").click()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann", timeout=30_000)
    ann.get_by_test_id("tab").first.click()
    expect(ann.get_by_test_id("message-input")).to_be_enabled()
    return ann, vera


def type_until_stopped(typing: Typing, ann: Page, vera: Page) -> None:
    n = 0
    while not typing.stop.is_set():
        n += 1
        widget, console = f"w{n:03d}", f"o{n:03d}"
        vera.get_by_test_id("fd-input").fill(widget)
        vera.get_by_test_id("fd-input").press("Enter")
        ann.get_by_test_id("message-input").fill(console)
        ann.get_by_test_id("message-input").press("Enter")
        nodes = (vera.evaluate(WIDGET_NODE), ann.evaluate(CONSOLE_NODE))
        typing.typed(widget, console, nodes)
        typing.stop.wait(PACE_S)  # the typing pace, ended at once by the stop


def fault_schedule(typing: Typing, cluster: ProcCluster, a: NodeProc, b: NodeProc) -> None:
    """The faults, each once the pages typed through the state before it (own thread)."""
    try:
        typing.wait(lambda: typing.ready)
        typing.wait_typed(5)

        cluster.signal("a", signal.SIGSTOP)  # past the lease: b takes over
        trio.run(wait_health, b, lambda h: h["role"] == "primary" and h["ready"])
        # The pages notice the silent node by their keepalive and go to b by themselves.
        typing.wait(lambda: typing.nodes == ("b", "b"))
        typing.wait_typed(10)
        cluster.signal("a", signal.SIGCONT)  # a learns the newer epoch, rejoins as backup
        trio.run(wait_health, a,
                 lambda h: h["role"] == "backup" and h["link"] == "up" and h["caught_up"])
        typing.wait_typed(5)

        cluster.signal("b", signal.SIGKILL)  # a takes over again
        trio.run(wait_health, a, lambda h: h["role"] == "primary" and h["ready"])
        typing.wait(lambda: typing.nodes == ("a", "a"))
        typing.wait_typed(10)
    except BaseException as exc:  # handed to the test's thread
        typing.failed = exc
    finally:
        typing.stop.set()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ProcCluster]:
    procs = ProcCluster(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()


def test_typing_through_a_sigstop_and_a_kill_delivers_each_message_once_in_order(
    cluster: ProcCluster, new_page: NewPage, watch: PageWatch
) -> None:
    watch.allow(EXPECTED_ERRORS.pattern)
    a, b = trio.run(start, cluster)
    ann, vera = open_pages(new_page, a)
    typing = Typing()
    faults = threading.Thread(target=fault_schedule, args=(typing, cluster, a, b), name="faults")
    faults.start()
    try:
        with typing.cond:
            typing.ready = True
            typing.cond.notify_all()
        type_until_stopped(typing, ann, vera)
    finally:
        typing.stop.set()
        faults.join(timeout=120)
    assert not faults.is_alive(), "the fault schedule did not end"
    if typing.failed is not None:
        raise typing.failed

    # Everything typed is taken by a primary (nothing left in either outbox), then
    # both sides hold all of it: each message once, in the order it was typed.
    vera.wait_for_function(UNSENT["widget"], timeout=30_000)
    ann.wait_for_function(UNSENT["console"], timeout=30_000)
    total = 2 * len(typing.widget)
    for page, messages in ((vera, WIDGET_MESSAGES), (ann, CONSOLE_MESSAGES)):
        page.wait_for_function(AT_LEAST.format(messages=messages), arg=total, timeout=30_000)
    for side, page, messages in (("widget", vera, WIDGET_MESSAGES),
                                 ("console", ann, CONSOLE_MESSAGES)):
        got = page.evaluate(messages)
        assert [t for who, t in got if who == "visitor"] == typing.widget, side
        assert [t for who, t in got if who == "operator"] == typing.console, side
