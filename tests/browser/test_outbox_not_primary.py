"""A message sent into a node that wakes up deposed is kept and delivered on the primary.

The case of issue 13, finding 7, on a real cluster of processes: the widget's node
``a`` is paused (SIGSTOP) past its lease while a message sits in its socket, ``b``
takes over, and ``a`` is resumed. Waking up deposed, ``a`` refuses the buffered
message with ``not_primary`` (whose text names ``a`` itself as the primary), then
closes the socket (1012, "not primary"). The widget used to delete the message
there; it must keep it, show no error, go to ``b`` and deliver it there once.

The widget's keepalive would leave the paused node before it wakes (that is
``test_failover_typing.py``); here it is slowed down on this page, so that the
message really is in ``a``'s socket when ``a`` wakes.
"""

from __future__ import annotations

import json
import signal

import pytest
import trio
from playwright.sync_api import WebSocket, expect

from .pages import NewPage, PageWatch
from .test_failover_typing import (
    EXPECTED_ERRORS,
    ProcCluster,
    cluster,
    open_pages,
    start,
    wait_health,
)

__all__ = ["cluster"]  # the fixture, shared with the typing test

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]


def test_a_message_refused_not_primary_is_kept_and_sent_on_the_primary(
    cluster: ProcCluster, new_page: NewPage, watch: PageWatch
) -> None:
    watch.allow(EXPECTED_ERRORS.pattern)
    a, b = trio.run(start, cluster)
    ann, vera = open_pages(new_page, a)
    ends: list[str] = []  # what ended the socket to a: a not_primary refusal, its close

    def on_socket(ws: WebSocket) -> None:
        if ws.url.startswith(a.url.replace("http", "ws")):

            def on_frame(payload: str | bytes) -> None:
                frame = json.loads(payload)
                if frame.get("type") == "error" and frame.get("code") == "not_primary":
                    ends.append("not_primary")

            ws.on("framereceived", on_frame)
            ws.on("close", lambda _: ends.append("closed"))

    vera.on("websocket", on_socket)
    # A fresh socket to a, now watched (the first one was made before the handler).
    vera.evaluate("window.frontdeskWidget.session.link.reconnectTo(location.origin)")
    vera.wait_for_function("() => window.frontdeskWidget.session.link.connected")
    vera.evaluate("window.frontdeskWidget.session.link.keepalive.silentAfterMs = 600_000")
    vera.get_by_test_id("fd-input").fill("hello before")
    vera.get_by_test_id("fd-input").press("Enter")
    expect(ann.get_by_test_id("history").get_by_test_id("msg-text")).to_have_text(["hello before"])

    cluster.signal("a", signal.SIGSTOP)
    trio.run(wait_health, b, lambda h: h["role"] == "primary" and h["ready"])
    vera.get_by_test_id("fd-input").fill("kept through not_primary")
    vera.get_by_test_id("fd-input").press("Enter")
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(1)
    cluster.signal("a", signal.SIGCONT)

    texts = ["hello before", "kept through not_primary"]
    expect(vera.get_by_test_id("fd-msg").get_by_test_id("fd-msg-text")).to_have_text(
        texts, timeout=30_000
    )
    expect(ann.get_by_test_id("history").get_by_test_id("msg-text")).to_have_text(
        texts, timeout=30_000
    )
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(0)
    expect(vera.get_by_test_id("fd-error")).to_be_hidden()
    assert vera.evaluate("window.frontdeskWidget.session.node") == "b"
    assert "not_primary" in ends, f"a never refused the buffered message: {ends}"
