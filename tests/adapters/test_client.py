"""The Python client's own parts: backoff, frame matching, HTTP errors, URL handling."""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
import trio
from trio_websocket import ConnectionClosed, HandshakeError, WebSocketRequest, serve_websocket

from frontdesk.adapters.client import Backoff, ClientError, VisitorClient, http_request
from frontdesk.adapters.client.base import ClientBase
from frontdesk.adapters.client.inbox import HISTORY_TYPES, matches
from frontdesk.adapters.client.reconnect import primary_hint
from frontdesk.adapters.client.socket import open_socket
from frontdesk.adapters.testing.ports import free_port


def test_backoff_grows_exponentially_is_capped_and_jittered() -> None:
    backoff = Backoff(base_s=0.1, max_s=2.0, rng=random.Random(7))
    delays = [backoff.delay(n) for n in range(10)]
    for n, delay in enumerate(delays):
        nominal = min(2.0, 0.1 * 2**n)
        assert 0.5 * nominal <= delay < 1.5 * nominal
    assert max(delays) < 3.0
    assert len({round(d, 6) for d in delays[6:]}) > 1  # jitter: capped delays still differ


def test_matches_by_type_fields_or_predicate() -> None:
    frame = {"type": "dialog.message", "dialog": "d-1", "text": "hi"}
    assert matches(frame, "dialog.message")
    assert matches(frame, {"dialog": "d-1", "text": "hi"})
    assert not matches(frame, {"dialog": "d-2"})
    assert matches(frame, lambda f: f["text"].startswith("h"))


def test_history_types_are_the_engines_dialog_entries() -> None:
    assert {"dialog.opened", "dialog.message", "dialog.closed"} <= HISTORY_TYPES
    assert "dialog.position" not in HISTORY_TYPES and "dialog.typing" not in HISTORY_TYPES


def test_a_client_needs_a_url() -> None:
    with pytest.raises(ClientError, match="at least one"):
        VisitorClient([])


def test_refs_are_unique_across_clients() -> None:
    a, b = VisitorClient("http://127.0.0.1:1"), VisitorClient("http://127.0.0.1:1")
    assert a.next_ref("m") != b.next_ref("m")


async def test_http_to_a_closed_port_is_a_client_error() -> None:
    port = free_port()
    with pytest.raises(ClientError, match="GET"):
        await http_request("GET", f"http://127.0.0.1:{port}/healthz", timeout_s=5)
    with pytest.raises(ClientError, match="http://"):
        await http_request("GET", "https://127.0.0.1/")


async def test_open_socket_refuses_other_schemes_and_reports_a_dead_port() -> None:
    with pytest.raises(ClientError, match="ws://"):
        async with open_socket("http://127.0.0.1:1/", []):
            pass
    port = free_port()
    with pytest.raises(OSError):
        async with open_socket(f"ws://127.0.0.1:{port}/ws/visitor", []):
            pass


async def test_a_client_with_no_reachable_node_gives_up_when_not_reconnecting() -> None:
    port = free_port()
    client = VisitorClient(f"http://127.0.0.1:{port}", reconnect=False)
    with pytest.raises(ClientError), trio.fail_after(10):
        async with client:
            pass


def test_the_primary_hint_is_read_from_a_refusal_body() -> None:
    body = b'{"error": {"code": "not_primary", "primary": "http://127.0.0.1:8081"}}'
    assert primary_hint(body) == "http://127.0.0.1:8081"
    assert primary_hint(b'{"error": {"code": "unavailable", "message": "..."}}') is None
    assert primary_hint(b'{"error": {"primary": "javascript:alert(1)"}}') is None
    assert primary_hint(b"<html>503</html>") is None and primary_hint(None) is None
    assert primary_hint(b'["not", "an", "object"]') is None


async def test_a_dial_that_never_gets_a_handshake_is_a_handshake_error() -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    async with trio.open_nursery() as nursery:
        nursery.start_soon(trio.serve_listeners, _hold, listeners)
        with pytest.raises(HandshakeError, match="no websocket handshake"), trio.fail_after(10):
            async with open_socket(f"ws://127.0.0.1:{port}/ws/visitor", [],
                                   connect_timeout_s=0.2):
                pass
        nursery.cancel_scope.cancel()


async def _hold(stream: trio.SocketStream) -> None:
    async with stream:
        await trio.sleep_forever()


async def test_a_say_refused_not_primary_is_sent_again_to_the_primary() -> None:
    """A primary deposed while a say waits for its backup answers ``not_primary`` (CI:
    tests/failover/test_process_failover.py::test_switchover_under_load_loses_nothing).
    docs/protocol.md says to reconnect to the primary and retry there: the client does,
    with the same ref, which the engine answers once."""
    seen: list[tuple[str, str]] = []

    def node(name: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        async def handler(request: WebSocketRequest) -> None:
            ws = await request.accept()
            await ws.send_message(json.dumps({"type": "hello", "node": name}))
            with contextlib.suppress(ConnectionClosed):  # the client dropped it
                while True:
                    frame = json.loads(await ws.get_message())
                    seen.append((name, frame["ref"]))
                    await ws.send_message(json.dumps(answer(frame)))
        return handler

    async with trio.open_nursery() as nursery:
        deposed = await nursery.start(serve_websocket, node("a", lambda f: {
            "type": "error", "code": "not_primary", "ref": f["ref"],
            "message": "this node is fenced"}), "127.0.0.1", 0, None)
        primary = await nursery.start(serve_websocket, node("b", lambda f: {
            "type": "dialog.message", "ref": f["ref"], "dialog": "d1", "seq": 7,
            "text": f["text"]}), "127.0.0.1", 0, None)
        urls = [f"http://127.0.0.1:{s.port}" for s in (deposed, primary)]
        client = ClientBase(urls, ping_interval_s=None, backoff=Backoff(0.01, 0.05))
        await nursery.start(client.run)
        got = await client.request({"type": "say", "dialog": "d1", "text": "hi"}, timeout=10)
        assert got["seq"] == 7 and client.url == urls[1]
        assert [name for name, _ in seen] == ["a", "b"]
        assert seen[0][1] == seen[1][1]  # the same ref: the engine answers it once
        await client.aclose()
        nursery.cancel_scope.cancel()
