"""A websocket client built from bytes, written from RFC 6455 and docs/protocol.md alone.

Not the project's client, nor wsproto: it frames by hand so that tests can send what a
correct client never would (unmasked frames, RSV bits, reserved opcodes, bad UTF-8, bad
close codes, lone surrogates in JSON) and read exactly what the server answers.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

import trio

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


@dataclass(frozen=True)
class ServerFrame:
    fin: bool
    opcode: int
    payload: bytes

    @property
    def close_code(self) -> int | None:
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None


def frame_bytes(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True,
                rsv: int = 0) -> bytes:
    """One client frame; ``mask=False`` and ``rsv`` make it one a server must refuse."""
    head = bytes(((0x80 if fin else 0) | (rsv << 4) | opcode,))
    size = len(payload)
    bit = 0x80 if mask else 0
    if size < 126:
        head += bytes((bit | size,))
    elif size < 65536:
        head += struct.pack("!BH", bit | 126, size)
    else:
        head += struct.pack("!BQ", bit | 127, size)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawWs:
    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = b""

    @classmethod
    async def connect(cls, port: int, path: str = "/ws/visitor",
                      cookie: str | None = None) -> RawWs:
        client = cls(await trio.open_tcp_stream("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13", f"Origin: http://127.0.0.1:{port}"]
        if cookie is not None:
            lines.append(f"Cookie: fd_session={cookie}")
        await client.stream.send_all(("\r\n".join(lines) + "\r\n\r\n").encode())
        with trio.fail_after(5):
            while b"\r\n\r\n" not in client.buffer:
                data = await client.stream.receive_some(65536)
                assert data, "the server closed during the handshake"
                client.buffer += data
        head, client.buffer = client.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101 "), head
        return client

    async def aclose(self) -> None:
        await self.stream.aclose()

    async def send_raw(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def send_text(self, text: str) -> None:
        await self.send_raw(frame_bytes(TEXT, text.encode("utf-8", "surrogatepass")))

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.send_text(json.dumps(frame))  # ensure_ascii: a surrogate goes as \ud800

    async def _fill(self, size: int) -> bool:
        while len(self.buffer) < size:
            data = await self.stream.receive_some(65536)
            if not data:
                return False
            self.buffer += data
        return True

    async def next_frame(self) -> ServerFrame | None:
        """The next frame, None at end of stream."""
        with trio.fail_after(5):
            if not await self._fill(2):
                return None
            first, second = self.buffer[0], self.buffer[1]
            assert not second & 0x80, "a server frame must not be masked"
            size, start = second & 0x7F, 2
            if size == 126:
                await self._fill(4)
                size, start = struct.unpack("!H", self.buffer[2:4])[0], 4
            elif size == 127:
                await self._fill(10)
                size, start = struct.unpack("!Q", self.buffer[2:10])[0], 10
            if not await self._fill(start + size):
                return None
            payload = self.buffer[start:start + size]
            self.buffer = self.buffer[start + size:]
            return ServerFrame(bool(first & 0x80), first & 0x0F, payload)

    async def next_json(self, kind: str | None = None) -> dict[str, Any]:
        """The next text frame (of type ``kind`` if given), skipping others."""
        while True:
            frame = await self.next_frame()
            assert frame is not None, "the server closed the connection"
            assert frame.opcode != CLOSE, f"closed with {frame.close_code}"
            if frame.opcode == TEXT:
                obj: dict[str, Any] = json.loads(frame.payload.decode("utf-8"))
                if kind is None or obj["type"] == kind:
                    return obj

    async def close_code(self) -> int | None:
        """The code of the server's close frame (skipping text frames before it)."""
        while True:
            frame = await self.next_frame()
            if frame is None:
                return None
            if frame.opcode == CLOSE:
                return frame.close_code

    async def answer_close(self, code: int) -> None:
        """The close frame that completes a close handshake the server began."""
        await self.send_raw(frame_bytes(CLOSE, struct.pack("!H", code)))

    async def wait_eof(self) -> None:
        """Until the server ends the TCP connection (discarding what comes)."""
        with trio.fail_after(5):
            while await self.stream.receive_some(65536):
                pass
