"""A websocket upgrade on a connection that already carried an HTTP request.

Only a connection's first request head is read by the front (``frontdesk.web.front``); the rest of
that connection is Hypercorn's, and an upgrade there used to be served by Hypercorn's own
websocket stream, where a client's protocol error (an unmasked frame, bad UTF-8, …) was
closed with 1000 — "do not reconnect" — instead of 1002/1007 (issue 12). Every accepted
websocket now goes through the project's transport; an upgrade on a reused connection is
refused with a JSON 400 and the connection closed (a client opens its websocket on a fresh
connection, as browsers and websocket libraries do).
"""

from __future__ import annotations

import base64
import json
import os

import trio

from tests.web.nodes import Node
from tests.web.raw_ws import TEXT, RawWs, frame_bytes


async def read_response(stream: trio.SocketStream, buffer: bytes = b"") -> tuple[bytes, bytes]:
    """One HTTP response: its head and its body (by content-length)."""
    with trio.fail_after(5):
        while b"\r\n\r\n" not in buffer:
            data = await stream.receive_some(65536)
            assert data, f"the server closed the connection after {buffer!r}"
            buffer += data
        head, body = buffer.split(b"\r\n\r\n", 1)
        lengths = [line.split(b":", 1)[1] for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")]
        length = int(lengths[0]) if lengths else 0
        while len(body) < length:
            data = await stream.receive_some(65536)
            assert data, "the server closed the connection mid-body"
            body += data
    return head, body


def upgrade_request(node: Node, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://127.0.0.1:{node.port}\r\n\r\n").encode()


async def test_an_upgrade_after_a_request_on_the_same_connection_is_refused_cleanly(
    node: Node,
) -> None:
    bystander = await RawWs.connect(node.port)
    await bystander.next_json("hello")
    async with await trio.open_tcp_stream("127.0.0.1", node.port) as stream:
        await stream.send_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head, body = await read_response(stream)
        assert head.startswith(b"HTTP/1.1 200 ") and json.loads(body)["ready"]
        await stream.send_all(upgrade_request(node, "/ws/visitor"))
        head, body = await read_response(stream)
        if head.startswith(b"HTTP/1.1 101 "):  # what it did: then a protocol error was 1000
            ws = RawWs(stream)
            ws.buffer = body  # what came after the head: the start of the websocket
            await ws.next_json("hello")
            await ws.send_raw(frame_bytes(TEXT, b'{"type":"ping"}', mask=False))
            code = await ws.close_code()
            raise AssertionError(f"upgraded on a reused connection; an unmasked frame: {code}")
        assert head.startswith(b"HTTP/1.1 400 "), head
        lower = head.lower()
        assert b"content-type: application/json" in lower and b"nosniff" in lower
        error = json.loads(body)["error"]
        assert error["code"] == "reused_connection", error
        assert "new connection" in error["message"]
        assert b"connection: close" in lower
        with trio.fail_after(5):  # and the server ends the connection
            while await stream.receive_some(65536):
                pass
    await bystander.send_json({"type": "ping", "ref": "b"})
    assert (await bystander.next_json("pong"))["ref"] == "b"
    await bystander.aclose()


async def test_a_fresh_connection_still_upgrades(node: Node) -> None:
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_raw(frame_bytes(TEXT, b'{"type":"ping"}', mask=False))
    assert await ws.close_code() == 1002
    await ws.aclose()
