"""Commands given while the primary is frozen are kept and done on the next one (issue 13).

A real cluster of processes on loopback (``tests/failover/failover_procs.py``): node
``a`` (primary, the pages come from it) is paused with SIGSTOP; right then the operator
Ann puts herself on break and closes the chat, frames written to a socket nobody reads.
``b`` takes over, the pages move to it by their keepalive, and the outbox sends both
commands again there: Ann is on break, the chat is closed on both pages, nothing waits.
"""

from __future__ import annotations

import signal

import pytest
import trio
from playwright.sync_api import expect

from .pages import NewPage, PageWatch
from .test_failover_typing import (
    EXPECTED_ERRORS,
    ProcCluster,
    cluster,
    open_pages,
    start,
    wait_health,
)

__all__ = ["cluster"]  # the fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

CONSOLE_COMMANDS = "() => window.frontdeskConsole.model.outbox.commands.length"
CONSOLE_NODE = """() => { const c = window.frontdeskConsole;
    return c.link.connected ? c.model.node : null; }"""


def test_status_and_close_given_during_a_sigstop_are_done_on_the_new_primary(
    cluster: ProcCluster, new_page: NewPage, watch: PageWatch
) -> None:
    watch.allow(EXPECTED_ERRORS.pattern)
    a, b = trio.run(start, cluster)
    ann, vera = open_pages(new_page, a)

    cluster.signal("a", signal.SIGSTOP)
    ann.get_by_test_id("status-select").select_option("on_break")
    ann.get_by_test_id("close-dialog").click()
    ann.get_by_test_id("close-confirm-submit").click()
    assert ann.evaluate(CONSOLE_COMMANDS) == 2  # kept until a primary answers

    trio.run(wait_health, b, lambda h: h["role"] == "primary" and h["ready"])
    ann.wait_for_function(f"() => ({CONSOLE_NODE})() === 'b'", timeout=60_000)
    expect(ann.get_by_test_id("status-select")).to_have_attribute(
        "data-status", "on_break", timeout=30_000
    )
    expect(vera.get_by_test_id("fd-ended")).to_be_visible(timeout=30_000)
    ann.wait_for_function(f"() => {CONSOLE_COMMANDS} === 0", timeout=30_000)
    cluster.signal("a", signal.SIGCONT)


def test_the_visitors_transcript_request_goes_to_the_next_node_when_its_own_is_dead(
    cluster: ProcCluster, new_page: NewPage, watch: PageWatch
) -> None:
    watch.allow(EXPECTED_ERRORS.pattern)
    a, b = trio.run(start, cluster)
    ann, vera = open_pages(new_page, a)
    ann.get_by_test_id("close-dialog").click()
    ann.get_by_test_id("close-confirm-submit").click()
    expect(vera.get_by_test_id("fd-ended")).to_be_visible(timeout=30_000)
    trio.run(wait_health, a, lambda h: h["link"] == "up" and h["caught_up"])

    cluster.signal("a", signal.SIGKILL)  # the node the widget came from is gone
    trio.run(wait_health, b, lambda h: h["role"] == "primary" and h["ready"])
    vera.get_by_test_id("fd-transcript-to").fill("vera@example.org")
    vera.get_by_test_id("fd-transcript-send").click()
    expect(vera.get_by_test_id("fd-transcript-status")).to_have_text(
        "On its way to vera@example.org.", timeout=30_000
    )
