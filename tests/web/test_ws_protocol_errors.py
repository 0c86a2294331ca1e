"""RFC 6455 protocol errors (issue 12, finding 8), with frames built by hand.

What must hold: a frame no client may send fails the connection (RFC 6455 7.1.7) with the
close code section 7.4.1 gives — 1002 for a protocol error, 1007 for text that is not UTF-8 —
and the server ends the TCP connection at once instead of waiting for a close handshake the
peer has already broken. Other connections go on.
"""

from __future__ import annotations

import struct

import pytest

from tests.web.nodes import Node
from tests.web.raw_ws import BINARY, CLOSE, PING, TEXT, RawWs, frame_bytes

BAD_FRAMES: list[tuple[str, bytes, int]] = [
    ("unmasked", frame_bytes(TEXT, b'{"type":"ping"}', mask=False), 1002),
    ("rsv1", frame_bytes(TEXT, b'{"type":"ping"}', rsv=0b100), 1002),
    ("rsv3", frame_bytes(BINARY, b"x", rsv=0b001), 1002),
    ("reserved opcode 3", frame_bytes(0x3, b"x"), 1002),
    ("reserved opcode 0xB", frame_bytes(0xB, b"x"), 1002),
    ("continuation first", frame_bytes(0x0, b"x"), 1002),
    ("fragmented ping", frame_bytes(PING, b"x", fin=False), 1002),
    ("ping over 125 bytes", frame_bytes(PING, b"x" * 126), 1002),
    ("invalid utf-8", frame_bytes(TEXT, b'{"type":"ping","x":"\xff\xfe"}'), 1007),
    ("surrogate in utf-8", frame_bytes(TEXT, b'"\xed\xa0\x80"'), 1007),
    ("close code 1005", frame_bytes(CLOSE, struct.pack("!H", 1005)), 1002),
    ("close code 999", frame_bytes(CLOSE, struct.pack("!H", 999)), 1002),
    ("close code 5000", frame_bytes(CLOSE, struct.pack("!H", 5000)), 1002),
    ("close with 1 byte", frame_bytes(CLOSE, b"\x03"), 1002),
    ("close reason not utf-8", frame_bytes(CLOSE, struct.pack("!H", 1000) + b"\xff"), 1007),
]


@pytest.mark.parametrize(("name", "data", "code"), BAD_FRAMES, ids=[b[0] for b in BAD_FRAMES])
async def test_a_protocol_error_is_closed_with_its_code_and_at_once(
    node: Node, name: str, data: bytes, code: int
) -> None:
    bystander = await RawWs.connect(node.port)
    await bystander.next_json("hello")
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_raw(data)
    assert await ws.close_code() == code
    await ws.wait_eof()  # within 5 s (the close timeout is 5 s: a wait would fail this)
    await ws.aclose()
    await bystander.send_json({"type": "ping", "ref": "b"})
    assert (await bystander.next_json("pong"))["ref"] == "b"
    await bystander.aclose()


@pytest.mark.parametrize("node_options", [{"shutdown_timeout_s": 30.0}])
async def test_the_connection_is_not_held_for_the_close_timeout(node: Node) -> None:
    """With a 30 s close timeout, the failed connection still ends within the 5 s of
    ``wait_eof``: the server does not wait for the peer's close after failing it."""
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_raw(frame_bytes(TEXT, b"{}", mask=False))
    assert await ws.close_code() == 1002
    await ws.wait_eof()
    await ws.aclose()


async def test_a_clean_close_from_the_client_is_answered_with_its_code(node: Node) -> None:
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_raw(frame_bytes(CLOSE, struct.pack("!H", 4000) + b"bye"))
    assert await ws.close_code() == 4000
    await ws.wait_eof()
    await ws.aclose()
