"""Direct writes (``WsprotoTransport.write_now``): a frame written from the loop, without
the writer task, over a real socket pair. What must hold: whatever the kernel does not take
at once goes out first, before any later frame, whole; a broken socket makes the next
write raise instead of losing frames silently."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from frontdesk.web.ws_transport import WsprotoTransport

SMALL = 4096


@asynccontextmanager
async def open_pair() -> AsyncIterator[tuple[WsprotoTransport, trio.SocketStream, WSConnection]]:
    """A server transport past its handshake, and the client end with its wsproto state."""
    a, b = trio.socket.socketpair()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL)
    server, peer = trio.SocketStream(a), trio.SocketStream(b)
    client = WSConnection(ConnectionType.CLIENT)
    await peer.send_all(client.send(Request(host="test", target="/ws/visitor")))
    transport = WsprotoTransport(server, max_message_bytes=1 << 22)
    await transport.handshake(await server.receive_some(65536), timeout_s=5)
    await transport.accept()
    client.receive_data(await peer.receive_some(65536))
    assert any(isinstance(e, AcceptConnection) for e in client.events())
    try:
        yield transport, peer, client
    finally:
        await server.aclose()
        await peer.aclose()


async def read_texts(peer: trio.SocketStream, client: WSConnection, count: int) -> list[str]:
    texts: list[str] = []
    part = ""
    with trio.fail_after(10):
        while len(texts) < count:
            client.receive_data(await peer.receive_some(65536))
            for event in client.events():
                if isinstance(event, TextMessage):  # a big one arrives in pieces
                    part += event.data
                    if event.message_finished:
                        texts.append(part)
                        part = ""
    return texts


async def test_what_the_kernel_did_not_take_goes_out_first_and_whole() -> None:
    async with open_pair() as (transport, peer, client):
        assert transport.can_write_now()
        big = "x" * (1 << 20)  # far more than the socket buffers hold
        assert transport.write_now(big) is False  # taken in part
        assert transport.has_pending() and not transport.can_write_now()
        async with trio.open_nursery() as nursery:
            received: list[str] = []

            async def reader() -> None:
                received.extend(await read_texts(peer, client, 2))

            nursery.start_soon(reader)
            await transport.send_texts(["after"])  # the rest of the big frame first
        assert received == [big, "after"]
        assert not transport.has_pending() and transport.can_write_now()
        assert transport.write_now("small") is True  # an idle socket takes a small frame whole
        assert await read_texts(peer, client, 1) == ["small"]


async def test_a_flush_alone_sends_what_waits() -> None:
    async with open_pair() as (transport, peer, client):
        big = "y" * (1 << 20)
        assert transport.write_now(big) is False
        async with trio.open_nursery() as nursery:
            received: list[str] = []

            async def reader() -> None:
                received.extend(await read_texts(peer, client, 1))

            nursery.start_soon(reader)
            await transport.flush()
        assert received == [big] and not transport.has_pending()


async def test_a_broken_socket_makes_the_next_write_raise() -> None:
    async with open_pair() as (transport, peer, _):
        await peer.aclose()
        # the first write may still be accepted by the kernel; one of the next ones fails
        for _ in range(100):
            if not transport.write_now("z" * 1000) and transport.has_pending():
                break
        assert transport.has_pending() and not transport.can_write_now()
        try:
            await transport.send_texts(["never"])
        except trio.BrokenResourceError:
            pass
        else:
            raise AssertionError("a write after the socket broke must raise")
