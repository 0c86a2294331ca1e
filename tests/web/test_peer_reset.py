"""A peer that resets its TCP connection (RST) mid-upgrade or right after it is the
peer's doing: the server logs no error for it, and goes on serving."""

from __future__ import annotations

import logging
import socket
import struct

import pytest
import trio

from tests.web.nodes import Node

HEAD = (b"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n")


def reset(stream: trio.SocketStream) -> None:
    """Close with SO_LINGER 0: the kernel sends RST, not FIN."""
    stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.socket.close()


@pytest.mark.parametrize("path", ["/ws/visitor", "/ws/operator", "/ws/manager"])
@pytest.mark.parametrize("after", ["head", "answer"])
async def test_a_reset_peer_is_not_an_error(
    node: Node, caplog: pytest.LogCaptureFixture, path: str, after: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="frontdesk"):
        stream = await trio.open_tcp_stream("127.0.0.1", node.port)
        await stream.send_all(HEAD.replace(b"{path}", path.encode()))
        if after == "answer":  # 101 for the visitor, a refusal for a stranger elsewhere
            with trio.fail_after(5):
                assert (await stream.receive_some(65536)).startswith(b"HTTP/1.1 ")
        reset(stream)
        # the server goes on: a whole chat still opens
        visitor = await node.visitor()
        with trio.fail_after(5):
            ack = await visitor.open("After the reset")
        assert ack["dialog"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
