"""Slow readers: a burst is absorbed; a client that stops reading is closed 1013 and resumes."""

from __future__ import annotations

import json
import socket

import pytest
import trio
from trio_websocket import ConnectionClosed, WebSocketConnection, wrap_client_stream

from frontdesk.engine.commands import OperatorSay
from tests.web.nodes import Node

BIG = "x" * 3900


async def a_socket_that_reads_little(
    node: Node, nursery: trio.Nursery, stream: trio.SocketStream
) -> WebSocketConnection:
    """A visitor socket with a tiny receive buffer (no autotuning): it fills in a few KiB."""
    return await wrap_client_stream(nursery, stream, f"127.0.0.1:{node.port}", "/ws/visitor",
                                    extra_headers=[(b"Origin", node.url.encode())],
                                    message_queue_size=1)


async def small_buffer_stream(node: Node) -> trio.SocketStream:
    sock = trio.socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    await sock.connect(("127.0.0.1", node.port))
    return trio.SocketStream(sock)


async def a_dialog(node: Node) -> tuple[str, str, int]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.say("hello")
    await ann.expect({"type": "dialog.message", "text": "hello"})
    return dialog, vera.tokens[dialog], vera.last_seq[dialog]


@pytest.mark.parametrize("node_options", [{"send_queue_size": 8}])
async def test_a_burst_larger_than_the_send_queue_is_delivered_in_order(node: Node) -> None:
    dialog, _, _ = await a_dialog(node)
    vera = node.clients[-1]
    # Hold the server's loop (this thread) while the engine delivers 40 entries: they all
    # reach vera's outbox in one batch, 32 of them past its capacity of 8.
    for n in range(40):
        node.engine.submit(OperatorSay("ann", dialog, f"burst {n}", ref=f"burst-{n}"))
    assert node.engine.settle(10)
    await vera.expect({"type": "dialog.message", "text": "burst 39"}, timeout=10)
    burst = [f["text"] for f in vera.received
             if f["type"] == "dialog.message" and f["text"].startswith("burst")]
    assert burst == [f"burst {n}" for n in range(40)]
    assert vera.close_codes == [] and node.ctx.metrics.slow_consumers == 0


@pytest.mark.slow
@pytest.mark.parametrize("node_options",
                         [{"send_queue_size": 8, "slow_consumer_grace_s": 0.5}])
async def test_a_client_that_stops_reading_is_closed_1013_and_resumes_everything(
    node: Node,
) -> None:
    dialog, token, last = await a_dialog(node)
    for client in node.clients:  # ann stays logged in (grace period); only the raw socket reads
        await client.aclose()
    stream = await small_buffer_stream(node)
    async with stream, trio.open_nursery() as nursery:
        ws = await a_socket_that_reads_little(node, nursery, stream)
        await ws.send_message(json.dumps({"type": "resume", "dialog": dialog, "token": token,
                                          "after_seq": last, "ref": "slow"}))
        await node.settle()
        [server_side] = [c for c in node.ctx.connections if c.kind == "visitor"]
        # ~3 MB the socket does not read: TCP buffers fill, then the outbox spills for 0.5 s
        for n in range(800):
            node.engine.submit(OperatorSay("ann", dialog, f"{n} {BIG}", ref=f"big-{n}"))
        assert await trio.to_thread.run_sync(node.engine.settle, 60)
        with trio.fail_after(30):
            await server_side.ended.wait()
        assert node.ctx.metrics.slow_consumers == 1
        with pytest.raises(ConnectionClosed) as closed:  # now read what made it, to the close
            while True:
                await ws.get_message()
        # the close frame waits behind data the client never read, and the connection is cut
        # when the server lets go of it: the client sees 1013 or, usually, 1006
        assert closed.value.reason is not None and closed.value.reason.code in (1013, 1006)
        nursery.cancel_scope.cancel()
    vera = await node.visitor()
    vera.last_seq[dialog] = last
    await vera.resume(dialog, token)
    await vera.expect({"type": "dialog.message", "text": f"799 {BIG}"}, timeout=30)
    texts = [f["text"] for f in vera.received if f["type"] == "dialog.message"]
    assert texts == [f"{n} {BIG}" for n in range(800)]
