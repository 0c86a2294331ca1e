"""One replication link end, whatever carries it: trio-websocket or Starlette.

The primary side of the link is served by the web server (Starlette on
Hypercorn's trio worker) at ``/ws/replication``, or by ``serve_replication``
(trio-websocket) in the in-process harness; the backup side is always a
trio-websocket client. Both are wrapped as a ``Channel`` of JSON frames so the
protocol code does not care which it has.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

import trio
from starlette.websockets import WebSocketDisconnect, WebSocketState
from trio_websocket import ConnectionClosed, HandshakeError, WebSocketConnection

from frontdesk.adapters.replication.protocol import (
    LinkClosedError,
    ReplicationError,
    decode,
    encode,
)


class Channel(Protocol):
    async def send(self, frame: dict[str, Any]) -> None: ...

    async def receive(self, *expected: str) -> dict[str, Any]: ...

    async def close(self, code: int = 1001, reason: str = "") -> None: ...


class TrioWebsocketChannel:
    def __init__(self, ws: WebSocketConnection) -> None:
        self.ws = ws

    async def send(self, frame: dict[str, Any]) -> None:
        try:
            await self.ws.send_message(encode(frame))
        except (ConnectionClosed, trio.BrokenResourceError, trio.ClosedResourceError) as e:
            raise LinkClosedError(
                f"cannot send {frame.get('type')}: the link closed ({e!r})"
            ) from None

    async def receive(self, *expected: str) -> dict[str, Any]:
        try:
            raw = await self.ws.get_message()
        except (ConnectionClosed, HandshakeError, trio.BrokenResourceError) as e:
            raise LinkClosedError(
                f"expected {' or '.join(expected)}: the link closed ({e!r})"
            ) from None
        return decode(raw, *expected)

    async def close(self, code: int = 1001, reason: str = "") -> None:
        await self.ws.aclose(code, reason or None)


class StarletteChannel:
    """The primary's end inside the web server (``starlette.websockets.WebSocket``)."""

    def __init__(self, websocket: Any) -> None:
        self.websocket = websocket

    async def send(self, frame: dict[str, Any]) -> None:
        try:
            await self.websocket.send_text(encode(frame))
        except (WebSocketDisconnect, RuntimeError, OSError) as e:
            raise LinkClosedError(
                f"cannot send {frame.get('type')}: the link closed ({e!r})"
            ) from None

    async def receive(self, *expected: str) -> dict[str, Any]:
        try:
            raw = await self.websocket.receive_text()
        except (WebSocketDisconnect, RuntimeError, KeyError) as e:
            raise LinkClosedError(
                f"expected {' or '.join(expected)}: the link closed ({e!r})"
            ) from None
        if not isinstance(raw, str):  # a binary frame: Starlette's text is None then
            raise ReplicationError(f"expected {' or '.join(expected)}, got a binary frame")
        return decode(raw, *expected)

    async def close(self, code: int = 1001, reason: str = "") -> None:
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await self.websocket.close(code=code, reason=reason or None)
