"""The client against nodes that stall, go silent or are not primary (real sockets, loopback).

- a node that accepts TCP but never answers the handshake: the dial times out and the
  client moves on (``trio.TooSlowError`` used to escape and kill it);
- a connection whose pongs stop coming (a black-holed link, as to a SIGSTOPped process):
  the keepalive drops the socket and the client resumes on the next node;
- a node that is not primary refuses the upgrade naming the primary, and the client goes there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio

from frontdesk.adapters.client import UpgradeRefusedError, VisitorClient
from frontdesk.adapters.testing.cluster import LinkProxy
from frontdesk.web.context import ServerContext
from frontdesk.web.options import ServerOptions
from frontdesk.web.server import run_server
from tests.web.nodes import Node


async def silent_listener(nursery: trio.Nursery) -> str:
    """A port that accepts connections and never says a word (a paused process's backlog)."""
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]

    async def hold(stream: trio.SocketStream) -> None:
        async with stream:
            await trio.sleep_forever()

    nursery.start_soon(trio.serve_listeners, hold, listeners)
    return f"http://127.0.0.1:{port}"


async def test_a_node_that_never_answers_the_handshake_is_skipped(node: Node) -> None:
    async with trio.open_nursery() as nursery:
        silent = await silent_listener(nursery)
        vera = VisitorClient([silent, node.url], connect_timeout_s=0.3, ping_interval_s=None)
        await node.started(vera)
        assert vera.url == node.url and vera.connections == 1
        assert (await vera.open("Vera"))["type"] == "ack"
        nursery.cancel_scope.cancel()


async def test_a_missing_pong_drops_the_socket_and_the_client_resumes_elsewhere(
    node: Node,
) -> None:
    async with trio.open_nursery() as nursery:
        proxy = LinkProxy(node.port)
        proxy_port = await nursery.start(proxy.run)
        via_proxy = f"http://127.0.0.1:{proxy_port}"
        vera = VisitorClient([via_proxy, node.url], ping_interval_s=0.1, ping_timeout_s=0.3,
                             connect_timeout_s=0.5)
        await node.started(vera)
        ack = await vera.open("Vera")
        dialog = ack["dialog"]
        assert vera.url == via_proxy
        await vera.say("before the cut")
        since = len(vera.received)
        proxy.cut()  # bytes are held, the socket stays open: only the keepalive can tell
        saying = trio.Event()
        got: list[dict[str, object]] = []

        async def say_during_the_cut() -> None:
            got.append(await vera.say("during the cut", timeout=10))
            saying.set()

        nursery.start_soon(say_during_the_cut)
        await vera.wait_for("hello", timeout=10, since=since)  # connected again
        with trio.fail_after(10):
            await saying.wait()
        assert vera.url == node.url and vera.unresponsive == 1 and vera.connections == 2
        # answered once it was accepted: by its echo, or by the ack of a resend the engine
        # had already taken (the replay then brought the echo)
        assert got[0]["type"] in ("dialog.message", "ack") and got[0]["dialog"] == dialog
        texts = [f["text"] for f in vera.seen({"type": "dialog.message", "dialog": dialog})]
        assert texts == ["before the cut", "during the cut"]  # each once, in order
        nursery.cancel_scope.cancel()


@dataclasses.dataclass
class BackupState:
    """A node that is backup and names the primary (what ``ClusterNode`` provides)."""

    primary: str
    role: str = "backup"
    epoch: int = 3
    ready: bool = False

    def primary_hint(self) -> str:
        return self.primary


@asynccontextmanager
async def backup_of(node: Node) -> AsyncIterator[str]:
    """A second server on the same engine whose node state is a backup naming ``node``."""
    ctx = ServerContext(node.engine, node.accounts, ServerOptions(port=0, node_name="b"),
                        node.clock, BackupState(node.url))
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        port = await nursery.start(run_server, ctx, stop)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop.set()


async def test_a_backup_refuses_the_upgrade_naming_the_primary(node: Node) -> None:
    async with backup_of(node) as backup:
        probe = VisitorClient(backup, reconnect=False)
        with pytest.raises(UpgradeRefusedError) as refused:
            async with probe:
                pass
        assert refused.value.status == 503
        error = json.loads(refused.value.body)["error"]
        assert error["code"] == "not_primary" and error["primary"] == node.url
        assert "backup of epoch 3" in error["message"]


async def test_the_client_follows_the_primary_hint(node: Node) -> None:
    async with backup_of(node) as backup:
        vera = VisitorClient(backup)  # knows only the backup
        await node.started(vera)
        assert vera.url == node.url and vera.urls == [backup, node.url]
        assert (await vera.open("Vera"))["type"] == "ack"
