"""A fault in one connection closes that connection only (issue 12, "what must hold").

An exception is injected into each endpoint's handler — visitor, operator, manager, and the
replication link, and the generic path of ``Front.handle`` that hands a connection to
Hypercorn — and:
the faulty socket is closed with 1011 (a server error, RFC 6455 7.4.1), the fault is logged
once with its cause, a bystander connection keeps working and the node keeps serving.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trio

from frontdesk import web
from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.client import login
from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.adapters.wire import Frame
from frontdesk.engine.clock import ManualClock
from frontdesk.web.cluster_routes import cluster_routes
from frontdesk.web.context import ServerContext
from frontdesk.web.options import ServerOptions
from frontdesk.web.server import run_server
from frontdesk.web.ws_manager import ManagerConnection
from frontdesk.web.ws_operator import OperatorConnection
from frontdesk.web.ws_replication import TransportChannel
from frontdesk.web.ws_visitor import VisitorConnection
from tests.web.nodes import PASSWORD, Node
from tests.web.raw_ws import RawWs


class InjectedError(RuntimeError):
    """The fault the tests inject."""


def failing(original: Any) -> Any:
    async def handle(self: Any, frame: Frame) -> None:
        if frame.ref == "boom":
            raise InjectedError(f"injected into the {self.kind} handler")
        await original(self, frame)

    return handle


async def socket_of(node: Node, path: str) -> RawWs:
    cookie = None
    if path != "/ws/visitor":
        cookie = await login(node.url, "maria" if path == "/ws/manager" else "ann", PASSWORD)
    ws = await RawWs.connect(node.port, path, cookie=cookie)
    await ws.next_json("hello")
    return ws


async def a_boom_closes_only_its_socket(
    node: Node, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A ping with the ref "boom" (the fault is injected for it) closes that socket with
    1011, logged once with its cause; a socket beside it and a new one still answer."""
    bystander = await socket_of(node, path)
    ws = await socket_of(node, path)
    with caplog.at_level(logging.ERROR, logger="frontdesk"):
        await ws.send_json({"type": "ping", "ref": "boom"})
        assert await ws.close_code() == 1011
        await ws.answer_close(1011)
        await ws.wait_eof()
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], InjectedError)]
    assert len(logged) == 1, caplog.records
    await bystander.send_json({"type": "ping", "ref": "still"})
    assert (await bystander.next_json("pong"))["ref"] == "still"
    fresh = await socket_of(node, path)  # the node still accepts connections
    await fresh.send_json({"type": "ping", "ref": "new"})
    assert (await fresh.next_json("pong"))["ref"] == "new"
    for sock in (ws, bystander, fresh):
        await sock.aclose()


@pytest.mark.allow_error_logs
@pytest.mark.parametrize(
    ("path", "cls"),
    [("/ws/visitor", VisitorConnection), ("/ws/operator", OperatorConnection),
     ("/ws/manager", ManagerConnection)],
)
async def test_an_exception_in_a_handler_closes_that_socket_with_1011(
    node: Node, path: str, cls: type, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(cls, "handle", failing(cls.handle))
    await a_boom_closes_only_its_socket(node, path, caplog)


@pytest.mark.allow_error_logs
async def test_an_exception_escaping_hypercorn_ends_that_connection_only(
    node: Node, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """As the refused replication hello did (``trio.BusyResourceError`` out of Hypercorn's
    server): whatever escapes serving one connection ends that connection, not the node."""

    class Failing(web.front.TCPServer):  # type: ignore[misc]
        async def run(self) -> None:
            raise trio.BusyResourceError("another task is currently sending data (injected)")

    monkeypatch.setattr(web.front, "TCPServer", Failing)
    bystander = await socket_of(node, "/ws/visitor")
    with caplog.at_level(logging.ERROR, logger="frontdesk"):
        stream = await trio.open_tcp_stream("127.0.0.1", node.port)
        await stream.send_all(b"GET /ws/replication HTTP/1.1\r\nHost: x\r\n"
                              b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              b"Sec-WebSocket-Version: 13\r\n\r\n")
        with trio.fail_after(5):
            while await stream.receive_some(65536):
                pass
        await stream.aclose()
    logged = [r for r in caplog.records
              if r.exc_info and isinstance(r.exc_info[1], trio.BusyResourceError)]
    assert len(logged) == 1
    await bystander.send_json({"type": "ping", "ref": "still"})
    assert (await bystander.next_json("pong"))["ref"] == "still"
    await bystander.aclose()


async def test_connections_cancelled_with_the_server_are_closed_1001_never_1000(
    node: Node,
) -> None:
    """When the server's tasks are cancelled (the process stopping, for whatever reason),
    each socket is told 1001 (going away: reconnect), never 1000 ("do not reconnect")."""
    ws = await socket_of(node, "/ws/visitor")
    assert node.ctx.tasks is not None
    node.ctx.tasks.cancel_scope.cancel()
    assert await ws.close_code() == 1001
    await ws.aclose()


@pytest.mark.allow_error_logs
async def test_an_exception_in_the_replication_handler_closes_that_link_with_1011(
    tmp_path: Path, accounts: Accounts, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``/ws/replication`` is one of the front's endpoints too (``frontdesk.web.ws_replication``): a
    fault in serving the link closes that link 1011, logged once, and the node (its real
    backup included) goes on."""
    async with open_cluster(tmp_path) as cluster:
        a = cluster["a"]
        ctx = ServerContext(NodeEngine(a), accounts, ServerOptions(port=0), ManualClock(), a)
        stop = trio.Event()
        async with trio.open_nursery() as nursery:
            port = await nursery.start(
                partial(run_server, ctx, stop, extra_routes=cluster_routes(ctx, a)))
            bystander = await RawWs.connect(port, "/ws/visitor")
            await bystander.next_json("hello")

            async def failing(self: TransportChannel, *expected: str) -> dict[str, Any]:
                raise InjectedError("injected into the replication handler")

            monkeypatch.setattr(TransportChannel, "receive", failing)
            with caplog.at_level(logging.ERROR, logger="frontdesk"):
                link = await RawWs.connect(port, "/ws/replication")
                assert await link.close_code() == 1011
                await link.aclose()
            logged = [r for r in caplog.records
                      if r.exc_info and isinstance(r.exc_info[1], InjectedError)]
            assert len(logged) == 1, caplog.records
            await bystander.send_json({"type": "ping", "ref": "still"})
            assert (await bystander.next_json("pong"))["ref"] == "still"
            await bystander.aclose()
            assert a.role == "primary" and a.state.caught_up
            stop.set()


@pytest.mark.allow_error_logs
@pytest.mark.parametrize("path_taken", ["direct", "writer"])
async def test_an_exception_writing_a_frame_closes_that_socket_with_1011(
    node: Node, path_taken: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A frame that cannot be made ready to write (a bug in rendering or encoding it)
    closes its socket with 1011 and is logged once; the client resumes from its cursor, so
    nothing is lost. The writer task runs in the server's nursery: before, what it raised
    ended every connection and the node (found by a measurement patch that broke it)."""
    original = web.ws_base._encode

    def encode(frame: dict[str, Any], notice: Any) -> str:
        if frame.get("ref") == "boom":
            raise InjectedError(f"injected into encoding a {frame['type']} frame")
        return original(frame, notice)

    monkeypatch.setattr(web.ws_base, "_encode", encode)
    if path_taken == "writer":  # every frame through the writer task, none written at once
        monkeypatch.setattr(web.ws_base.WsConnection, "_write_now", lambda self, item: False)
    await a_boom_closes_only_its_socket(node, "/ws/visitor", caplog)
