"""The front (``web.front``) and the direct websocket transport (``frontdesk.web.ws_transport``).

What must hold: the websocket endpoints speak the protocol correctly on the
socket itself — a message in several fragments is one frame, a ping gets its
pong, a fragmented message past ``max_frame_bytes`` is closed 1009 — a bad
handshake is answered 400 and costs nobody else anything, and everything that
is not an upgrade to an endpoint (pages, the API) still reaches the app through
Hypercorn (an upgrade on a reused keep-alive connection: tests/web/test_reused_connection.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import trio
from wsproto import WSConnection
from wsproto.connection import ConnectionType
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from frontdesk.web.ws_transport import text_frame
from tests.web.nodes import Node


class RawClient:
    """A websocket client made of wsproto and a TCP stream: it can send what the
    project's client never would (fragments, pings, a broken handshake)."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[Event] = []

    @classmethod
    async def connect(cls, node: Node, path: str = "/ws/visitor") -> RawClient:
        client = cls(await trio.open_tcp_stream("127.0.0.1", node.port))
        host = f"127.0.0.1:{node.port}"
        await client.send(Request(host=host, target=path,
                                  extra_headers=[(b"origin", f"http://{host}".encode())]))
        accepted = await client.next_event()
        assert isinstance(accepted, AcceptConnection), accepted
        return client

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stream.aclose()

    async def send(self, event: Event) -> None:
        await self.stream.send_all(self.ws.send(event))

    async def next_event(self) -> Event:
        with trio.fail_after(5):
            while not self.events:
                data = await self.stream.receive_some(65536)
                self.ws.receive_data(data or None)
                self.events.extend(self.ws.events())
        return self.events.pop(0)

    async def frame(self, kind: str) -> dict[str, Any]:
        """The next text frame of type ``kind`` (skipping others)."""
        while True:
            event = await self.next_event()
            if isinstance(event, TextMessage):
                frame: dict[str, Any] = json.loads(event.data)
                if frame["type"] == kind:
                    return frame


async def test_a_message_in_fragments_is_one_frame(node: Node) -> None:
    async with await RawClient.connect(node) as client:
        await fragments(client)


async def fragments(client: RawClient) -> None:
    await client.frame("hello")
    text = json.dumps({"type": "open", "ref": "o1", "name": "Frag"})
    for i in range(0, len(text), 7):
        await client.send(TextMessage(data=text[i:i + 7], message_finished=i + 7 >= len(text)))
    ack = await client.frame("ack")
    assert ack["ref"] == "o1" and ack["dialog"]


async def test_a_ping_gets_its_pong(node: Node) -> None:
    async with await RawClient.connect(node) as client:
        await ping(client)


async def ping(client: RawClient) -> None:
    await client.frame("hello")
    await client.send(Ping(payload=b"still there?"))
    while True:
        event = await client.next_event()
        if isinstance(event, Pong):
            assert event.payload == b"still there?"
            return


@pytest.mark.parametrize("node_options", [{"max_frame_bytes": 1000}])
async def test_fragments_adding_up_past_the_limit_close_1009(node: Node) -> None:
    async with await RawClient.connect(node) as client:
        await too_big(client)


async def too_big(client: RawClient) -> None:
    await client.frame("hello")
    for _ in range(3):  # 3 x 400 bytes, none of them over the limit alone
        await client.send(TextMessage(data="x" * 400, message_finished=False))
    while True:
        event = await client.next_event()
        if isinstance(event, CloseConnection):
            assert event.code == 1009
            return


async def test_a_bad_handshake_is_answered_400_and_the_server_goes_on(node: Node) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", node.port)
    async with stream:
        await stream.send_all(  # an upgrade without Sec-WebSocket-Key
            b"GET /ws/visitor HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        answer = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Sec-WebSocket-Key" in answer  # says what was wrong
    async with await RawClient.connect(node) as client:
        assert (await client.frame("hello"))["you"]["kind"] == "visitor"


async def test_a_refused_upgrade_says_why_in_json(node: Node) -> None:
    async with RawClient(await trio.open_tcp_stream("127.0.0.1", node.port)) as client:
        await refused(client, node)


async def refused(client: RawClient, node: Node) -> None:
    host = f"127.0.0.1:{node.port}"
    await client.send(Request(host=host, target="/ws/operator",
                              extra_headers=[(b"origin", f"http://{host}".encode())]))
    refused = await client.next_event()
    assert isinstance(refused, RejectConnection) and refused.status_code == 403
    body = b""
    while True:
        event = await client.next_event()
        assert isinstance(event, RejectData)
        body += event.data
        if event.body_finished:
            break
    assert json.loads(body)["error"]["code"] == "no_session"


async def test_pages_still_come_from_the_app(node: Node) -> None:
    async with await trio.open_tcp_stream("127.0.0.1", node.port) as stream:
        head, body = await http_get(stream, "/login")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"content-security-policy" in head.lower() and b"<html" in body.lower()


async def http_get(stream: trio.SocketStream, path: str) -> tuple[bytes, bytes]:
    """One request on a kept-alive connection: the response's head and body."""
    await stream.send_all(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    data = b""
    with trio.fail_after(5):
        while b"\r\n\r\n" not in data:
            data += await stream.receive_some(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        while len(body) < length:
            body += await stream.receive_some(65536)
    return head, body


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_the_server_text_frame_is_the_one_wsproto_would_write(size: int) -> None:
    """``text_frame`` builds frames without wsproto: byte for byte what wsproto's server
    side sends, at every length encoding (7 bits, 16 bits, 64 bits), multi-byte text too."""
    text = ("é" * size)[: max(0, size // 2)] + "x" * (size - max(0, size // 2))
    reference = WSConnection(ConnectionType.SERVER)
    reference.receive_data(
        b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert isinstance(next(reference.events()), Request)
    reference.send(AcceptConnection())
    assert text_frame(text) == reference.send(TextMessage(data=text))
