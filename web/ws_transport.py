"""The one way a websocket reaches a connection: wsproto on the socket.

``WsConnection`` (``web.ws_base``) and the replication link (``frontdesk.web.ws_replication``) read
and write through a ``Transport``:

- ``WsprotoTransport`` is the path of ``/ws/visitor``, ``/ws/operator``,
  ``/ws/manager`` and ``/ws/replication``: the front (``web.front``) hands it the TCP stream, and it
  speaks the websocket protocol itself with wsproto (sans-I/O). One
  ``receive_some`` can hold many frames, which are then taken without another
  trip through the loop; ``send_texts`` writes every frame the writer has
  ready with one ``send_all``. Through Hypercorn and Starlette each frame in
  and out was several task switches (Hypercorn's reader, its queue to the
  app, Starlette's wrappers, a lock and a send per frame): that was most of
  the trio thread's time at saturation (docs/performance.md, fourth round).
- An upgrade that reaches Hypercorn instead (it came on a keep-alive connection
  after another request, which the front had handed to Hypercorn) is refused
  (``refuse_reused_connection``): Hypercorn's own websocket stream closed a
  client's protocol error with 1000, and every endpoint, ``/ws/replication``
  included, is served here instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Protocol

import trio
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket
from wsproto import WSConnection
from wsproto.connection import ConnectionState, ConnectionType
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

log = logging.getLogger("frontdesk.web")

RECEIVE_BYTES = 65536
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011
FAILED_DRAIN_S = 1.0  # after failing a connection: how long its last bytes are read


class Transport(Protocol):
    async def accept(self) -> None: ...

    async def receive(self) -> str | bytes | None:
        """The next whole message; None once the peer closed or the socket broke."""

    async def send_texts(self, texts: Sequence[str]) -> None:
        """Write ``texts`` as text frames, in order; raises once the socket is gone."""

    async def send_close(self, code: int, reason: str) -> None: ...

    def has_pending(self) -> bool:
        """Whether bytes of a direct write wait to be sent (``flush``), or it failed."""

    async def flush(self) -> None: ...


# on a refused websocket upgrade, which Starlette's middleware never sees
REFUSAL_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin",
                   "cache-control": "no-store"}
REUSED_CONNECTION = {"error": {
    "code": "reused_connection",
    "message": "expected a websocket upgrade as the first request of a connection: open it "
               "on a new connection (this one already carried an HTTP request)"}}


async def refuse_reused_connection(ws: WebSocket) -> None:
    """An upgrade that came to Hypercorn, after another request on the same connection:
    refused with a JSON 400, so that every websocket the node accepts is one of the front's
    (``WsprotoTransport``), never Hypercorn's, whose protocol-error handling differs."""
    # ``connection: close``: Hypercorn takes whatever follows an upgrade request for websocket
    # data, so the connection cannot carry another HTTP request either
    headers = {**REFUSAL_HEADERS, "connection": "close"}
    await ws.send_denial_response(JSONResponse(REUSED_CONNECTION, 400, headers=headers))


def text_frame(text: str) -> bytes:
    """One whole, unmasked text frame (RFC 6455 5.2), as a server sends it.

    Built here rather than by wsproto's ``send``, whose frame serialiser was a tenth of the
    trio thread's time at saturation. Safe because this connection negotiates no extension
    (no compression) and only ever sends whole messages, so wsproto keeps no outgoing state
    that these frames would bypass (tests/web/test_front.py checks the bytes against it).
    """
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


class HandshakeError(Exception):
    """The bytes before the upgrade were not a websocket handshake."""


class WsprotoTransport:
    """A websocket server connection over a trio stream, framed by wsproto.

    Reading is done by one task (the connection's reader); writing may come from
    several (the writer, the reader's pong, a close), so it takes ``_lock``, but
    without a trip through the loop when nobody else holds it.
    """

    def __init__(self, stream: trio.abc.Stream, max_message_bytes: int) -> None:
        self.stream = stream
        self.max_message_bytes = max_message_bytes
        self.conn = WSConnection(ConnectionType.SERVER)
        self._lock = trio.Lock()
        self._messages: deque[str | bytes] = deque()
        self._parts: list[str | bytes] = []
        self._size = 0
        self._ended = False  # the peer closed, the socket broke, or we closed
        self._close_sent = False
        self._eof = False  # the peer's end of stream (no close frame will be read)
        self._failed = False  # the peer broke the protocol: no close handshake to wait for
        # Direct writes (``write_now``): on a TCP socket only. What the kernel did not take
        # waits in ``_pending`` and goes out first, under the lock, with the next write.
        self._fd = stream.socket.fileno() if isinstance(stream, trio.SocketStream) else -1
        self._pending = b""
        self._broken: OSError | None = None

    # --- handshake ------------------------------------------------------------------------

    async def handshake(self, head: bytes, timeout_s: float) -> Request:
        """The upgrade request, from ``head`` (already read) and what follows it.

        A request wsproto refuses is answered 400 here; ``HandshakeError`` either way.
        """
        data = head
        with trio.move_on_after(timeout_s):
            while data:
                try:
                    self.conn.receive_data(data)
                    for event in self.conn.events():
                        if isinstance(event, Request):
                            return event
                except RemoteProtocolError as exc:
                    await self._refuse_handshake(exc)
                    raise HandshakeError(str(exc)) from exc
                data = bytes(await self.stream.receive_some(RECEIVE_BYTES))
        raise HandshakeError("the connection ended before a websocket upgrade request")

    async def _refuse_handshake(self, exc: RemoteProtocolError) -> None:
        body = f"bad websocket handshake: {exc}".encode()
        response = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n"
                    b"connection: close\r\ncontent-length: " + str(len(body)).encode()
                    + b"\r\n\r\n" + body)
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await self._write(response)
        self._ended = True

    async def accept(self) -> None:
        await self._write(self.conn.send(AcceptConnection()))

    async def reject(self, status: int, body: bytes, content_type: str,
                     extra_headers: Mapping[str, str] | None = None) -> None:
        headers = [(b"content-type", content_type.encode()),
                   (b"content-length", str(len(body)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in (extra_headers or {}).items()]
        data = self.conn.send(RejectConnection(status_code=status, headers=headers,
                                               has_body=True))
        data += self.conn.send(RejectData(data=body, body_finished=True))
        await self._write(data)
        self._ended = True

    # --- reading --------------------------------------------------------------------------

    async def receive(self) -> str | bytes | None:
        while not self._messages:
            if self._ended:
                return None
            try:
                data = bytes(await self.stream.receive_some(RECEIVE_BYTES))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            if not data:
                self._ended = self._eof = True
                return None
            pending = self._feed(data)
            if pending:
                await self._write(pending)
        return self._messages.popleft()

    def _feed(self, data: bytes) -> bytes:
        """Take ``data`` in; returns the bytes owed to the peer (pongs, a close)."""
        out = b""
        try:
            self.conn.receive_data(data)
            for event in self.conn.events():
                out += self._on_event(event)
        except RemoteProtocolError as exc:
            log.info("failing a websocket: %s", exc)
            out += self._close_bytes(CLOSE_PROTOCOL_ERROR, "protocol error")
            self._ended = self._failed = True
        return out

    def _on_event(self, event: Event) -> bytes:
        if isinstance(event, TextMessage | BytesMessage):
            return self._on_message(event)
        if isinstance(event, Ping):
            return self.conn.send(event.response())
        if isinstance(event, CloseConnection):
            self._ended = True
            if self.conn.state is ConnectionState.REMOTE_CLOSING:  # the peer's close frame
                self._close_sent = True
                return self.conn.send(event.response())
            if self.conn.state is ConnectionState.OPEN:
                # Still open: not the peer's close but wsproto's report of a frame it could
                # not parse (ParseFailed: 1002 protocol error, 1007 bad UTF-8). RFC 6455 7.1.7:
                # fail the connection — send that code and end the TCP connection, without
                # waiting for a close handshake from a peer that broke the protocol.
                log.info("failing a websocket (%d): %s", event.code, event.reason)
                self._failed = True
                return self._close_bytes(event.code, (event.reason or "")[:120])
        return b""

    def _on_message(self, event: TextMessage | BytesMessage) -> bytes:
        if self._ended:
            return b""
        data: str | bytes = event.data if isinstance(event.data, str) else bytes(event.data)
        # bytes on the wire, as ``server.max_frame_bytes`` says (text arrives decoded)
        self._size += len(data) if isinstance(data, bytes) or data.isascii() else len(
            data.encode("utf-8"))
        if self._size > self.max_message_bytes:
            self._ended = True
            self._parts.clear()
            return self._close_bytes(
                CLOSE_TOO_BIG, f"message over {self.max_message_bytes} bytes")
        if event.message_finished and not self._parts:
            self._messages.append(data)
            self._size = 0
            return b""
        self._parts.append(data)
        if event.message_finished:
            if isinstance(event, TextMessage):
                self._messages.append("".join(p for p in self._parts if isinstance(p, str)))
            else:
                self._messages.append(b"".join(p for p in self._parts if isinstance(p, bytes)))
            self._parts.clear()
            self._size = 0
        return b""

    # --- writing --------------------------------------------------------------------------

    async def send_texts(self, texts: Sequence[str]) -> None:
        if self.conn.state is not ConnectionState.OPEN:
            raise trio.ClosedResourceError("the websocket is closing")
        await self._write(b"".join([text_frame(text) for text in texts]))

    def can_write_now(self) -> bool:
        """Whether ``write_now`` may write: a TCP socket, open, no write under way or
        unfinished (so a frame written now cannot overtake or cut into another)."""
        return (
            self._fd >= 0
            and not self._pending
            and self._broken is None
            and not self._lock.locked()
            and self.conn.state is ConnectionState.OPEN
        )

    def write_now(self, text: str) -> bool:
        """Write one text frame without waiting (call ``can_write_now`` first).

        Synchronous, so nothing on the loop runs in between. True if the kernel took
        it all; else the rest is pending (or the socket broke) and the next write, or
        ``flush``, sends it first or raises."""
        data = text_frame(text)
        try:
            sent = os.write(self._fd, data)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            self._broken = exc
            return False
        if sent < len(data):
            self._pending = data[sent:]
            return False
        return True

    def has_pending(self) -> bool:
        return bool(self._pending) or self._broken is not None

    async def flush(self) -> None:
        """Send what a direct write left unsent (raises if the socket broke)."""
        await self._write(b"")

    async def send_close(self, code: int, reason: str) -> None:
        data = self._close_bytes(code, reason)
        if data:
            await self._write(data)

    def _close_bytes(self, code: int, reason: str) -> bytes:
        if self._close_sent or self.conn.state is not ConnectionState.OPEN:
            return b""
        self._close_sent = True
        try:
            return self.conn.send(CloseConnection(code=code, reason=reason))
        except LocalProtocolError:
            return b""

    async def _write(self, data: bytes) -> None:
        try:
            self._lock.acquire_nowait()  # no trip through the loop when uncontended
        except trio.WouldBlock:
            await self._lock.acquire()
        try:
            if self._broken is not None:
                raise trio.BrokenResourceError(f"the socket broke: {self._broken}")
            if self._pending:  # the rest of a direct write goes first
                data, self._pending = self._pending + data, b""
            if not data:
                return
            if self._fd >= 0:  # what the kernel takes at once needs no shielded send_all
                try:
                    sent = os.write(self._fd, data)
                except BlockingIOError:
                    sent = 0
                except OSError as exc:
                    self._broken = exc
                    raise trio.BrokenResourceError(f"the socket broke: {exc}") from exc
                if sent == len(data):
                    return
                data = data[sent:]
            # Shielded, as Hypercorn does: a frame cut off by a cancellation would leave the
            # stream mid-frame, and the close frame after it would be read as payload. A write
            # stuck on a peer that stopped reading ends when ``finish`` closes the stream.
            with trio.CancelScope(shield=True):
                await self.stream.send_all(data)
        finally:
            self._lock.release()

    async def finish(self, timeout_s: float, code: int = CLOSE_INTERNAL,
                     reason: str = "") -> None:
        """End the connection: a close frame with ``code`` if none was sent (the handler
        returned without closing: 1011; the server stopping: 1001 — never 1000, which tells
        a client not to reconnect), then wait (at most ``timeout_s``) for the peer's close or
        end of stream, then close the TCP connection. Reading until then keeps the kernel
        from answering the peer's last bytes with a reset, which could destroy our close
        frame unread. A connection failed for a protocol error is not waited for: our side
        is shut at once, and its last bytes read for at most ``FAILED_DRAIN_S``."""
        with trio.CancelScope(shield=True):
            with trio.move_on_after(timeout_s):
                try:
                    if self.conn.state is ConnectionState.OPEN and not self._eof:
                        await self.send_close(code, reason)
                    if self._failed or self._eof:
                        await self._drain()
                    while self.conn.state is ConnectionState.LOCAL_CLOSING and not self._eof:
                        data = bytes(await self.stream.receive_some(RECEIVE_BYTES))
                        if not data:
                            break
                        with contextlib.suppress(RemoteProtocolError, LocalProtocolError):
                            self.conn.receive_data(data)
                            for _ in self.conn.events():
                                pass
                except (trio.BrokenResourceError, trio.ClosedResourceError,
                        trio.BusyResourceError, OSError):
                    pass
            with trio.move_on_after(1.0):
                await self.stream.aclose()

    async def _drain(self) -> None:
        """Shut our sending side (the peer reads our close, then end of stream) and read
        what the peer still sends, briefly, so that closing does not reset the connection."""
        if isinstance(self.stream, trio.abc.HalfCloseableStream):
            async with self._lock:
                await self.stream.send_eof()
        with trio.move_on_after(FAILED_DRAIN_S):
            while await self.stream.receive_some(RECEIVE_BYTES):
                pass
