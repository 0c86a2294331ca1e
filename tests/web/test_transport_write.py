"""``WsprotoTransport._write``: bytes the kernel takes at once are written without the
shielded ``send_all`` (its cancel scope was 8 % of the trio thread's GIL time at 500 msg/s,
docs/performance.md, relay cost); what it does not take, or a broken socket, go the old way."""

from __future__ import annotations

import contextlib
import socket as stdlib_socket

import pytest
import trio

from frontdesk.web.ws_transport import WsprotoTransport


class Counting:
    sends = 0


@pytest.fixture(autouse=True)
def _count_send_all(monkeypatch: pytest.MonkeyPatch) -> None:
    real = trio.SocketStream.send_all

    async def send_all(self: trio.SocketStream, data: bytes | bytearray | memoryview) -> None:
        Counting.sends += 1
        await real(self, data)

    monkeypatch.setattr(trio.SocketStream, "send_all", send_all)


async def _pair() -> tuple[WsprotoTransport, stdlib_socket.socket]:
    a, b = stdlib_socket.socketpair()
    stream = trio.SocketStream(trio.socket.from_stdlib_socket(a))
    return WsprotoTransport(stream, 1 << 20), b


async def test_a_write_the_kernel_takes_is_not_a_send_all() -> None:
    ws, peer = await _pair()
    Counting.sends = 0
    await ws._write(b"hello")
    assert peer.recv(100) == b"hello"
    assert Counting.sends == 0
    peer.close()
    await ws.stream.aclose()


async def test_what_the_kernel_does_not_take_at_once_is_sent_all() -> None:
    ws, peer = await _pair()
    peer.setblocking(False)
    Counting.sends = 0
    big = bytes(range(256)) * 40_000  # 10 MB: more than the socket buffers hold
    got = bytearray()

    async def read() -> None:
        while len(got) < len(big):
            await trio.sleep(0)
            try:
                got.extend(peer.recv(1 << 20))
            except BlockingIOError:
                await trio.lowlevel.wait_readable(peer)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(read)
        with trio.fail_after(10):
            await ws._write(big)
    assert bytes(got) == big
    assert Counting.sends == 1
    peer.close()
    await ws.stream.aclose()


async def test_a_broken_socket_raises_as_send_all_did() -> None:
    ws, peer = await _pair()
    peer.close()
    await ws.stream.aclose()
    with pytest.raises(trio.BrokenResourceError):
        for _ in range(3):
            await ws._write(b"x" * 100_000)
    with contextlib.suppress(trio.ClosedResourceError):
        await ws.stream.aclose()
