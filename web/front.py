"""The listening socket: websocket endpoints served directly, everything else by Hypercorn.

Theory of operation: ``serve_front`` accepts TCP connections itself and reads
each one's request head (up to the blank line, at most ``MAX_HEAD_BYTES``).

- A websocket upgrade to one of ``ws_endpoints`` (``/ws/visitor``,
  ``/ws/operator``, ``/ws/manager``, and ``/ws/replication`` on a cluster node)
  is handed to a ``WsprotoTransport`` with the bytes already read, and to the
  endpoint's handler: the hot path, with no ASGI layer in between
  (``frontdesk.web.ws_transport`` says why).
- Anything else (pages, the API, a malformed request) goes to Hypercorn's
  HTTP/1.1 server for this one connection, as if Hypercorn had accepted it: the
  bytes read are replayed to it first (``ReplayStream``). An upgrade that comes
  later on that connection reaches Hypercorn, and is refused there
  (``frontdesk.web.ws_transport.refuse_reused_connection``): every websocket is the
  front's.
  Hypercorn's ``TCPServer`` is not part of its documented API; the version is
  pinned in ``pyproject.toml`` and ``tests/web`` exercise it on every route.

Shutdown (``stop_listening``): the listeners close, Hypercorn's idle keep-alive
connections are told to end (``terminated``), and the connections still open
get ``shutdown_timeout_s`` before they are cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any

import trio
from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState
from wsproto.events import Request

from frontdesk.web.ws_transport import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL,
    HandshakeError,
    WsprotoTransport,
)

log = logging.getLogger("frontdesk.web")

MAX_HEAD_BYTES = 16384
HEAD_TIMEOUT_S = 10.0


class Upgrade:
    """What a websocket endpoint's handler gets: the request and the transport."""

    def __init__(self, request: Request, transport: WsprotoTransport) -> None:
        self.request = request
        self.transport = transport
        self.path = request.target.split("?", 1)[0]
        self.headers: dict[str, str] = {}
        for name, value in request.extra_headers:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            self.headers[key] = f"{self.headers[key]}, {text}" if key in self.headers else text
        self.headers["host"] = request.host
        self.cookies = parse_cookies(self.headers.get("cookie", ""))


WsHandler = Callable[[Upgrade], Awaitable[None]]


def parse_cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header counts as no cookie
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


class ReplayStream(trio.abc.HalfCloseableStream):
    """A socket stream whose first reads return ``prefix`` (the head the front read).

    Sends and the EOF are serialised: Hypercorn sends under its own lock but half-closes
    (``send_eof``) outside it, so a websocket whose app closes while the peer's close
    frame is being answered had two tasks sending at once, and the ``BusyResourceError``
    escaped the connection (issue 12 finding 2: a refused replication hello, closed at
    once, killed the node).
    """

    def __init__(self, stream: trio.SocketStream, prefix: bytes) -> None:
        self.stream = stream
        self.socket = stream.socket  # Hypercorn reads the peer's address from it
        self._prefix = prefix
        self._send_lock = trio.Lock()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        if self._prefix:
            size = len(self._prefix) if max_bytes is None else max_bytes
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            await trio.lowlevel.checkpoint()
            return data
        return await self.stream.receive_some(max_bytes)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        async with self._send_lock:
            await self.stream.send_all(data)

    async def wait_send_all_might_not_block(self) -> None:
        await self.stream.wait_send_all_might_not_block()

    async def send_eof(self) -> None:
        async with self._send_lock:
            await self.stream.send_eof()

    async def aclose(self) -> None:
        await self.stream.aclose()


async def read_head(stream: trio.SocketStream) -> bytes:
    """The bytes up to the end of the first request's head (or what came before EOF,
    a timeout, or ``MAX_HEAD_BYTES``: Hypercorn answers those)."""
    head = b""
    with trio.move_on_after(HEAD_TIMEOUT_S):
        while b"\r\n\r\n" not in head and len(head) < MAX_HEAD_BYTES:
            data = await stream.receive_some(MAX_HEAD_BYTES)
            if not data:
                break
            head += data
    return head


def upgrade_path(head: bytes, paths: Mapping[str, Any]) -> str | None:
    """The endpoint path when ``head`` is a websocket upgrade to one of ``paths``."""
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = head[:end].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[0] != b"GET":
        return None
    path = parts[1].split(b"?", 1)[0].decode("latin-1")
    if path not in paths:
        return None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"upgrade" and value.strip().lower() == b"websocket":
            return path
    return None


def peer_went_away(exc: BaseException) -> bool:
    """``exc`` is the socket itself breaking under a write (the peer reset or closed it):
    the peer's doing, logged as such, not a fault of the server."""
    return isinstance(exc, trio.BrokenResourceError) and isinstance(exc.__cause__, OSError)


class Front:
    def __init__(
        self,
        app: Any,
        config: HypercornConfig,
        ws_endpoints: Mapping[str, WsHandler],
        max_message_bytes: int,
        close_timeout_s: float,
    ) -> None:
        self.app = ASGIWrapper(app)
        self.config = config
        self.context = WorkerContext(None)
        self.ws_endpoints = ws_endpoints
        self.max_message_bytes = max_message_bytes
        self.close_timeout_s = close_timeout_s

    async def handle(self, stream: trio.SocketStream) -> None:
        try:
            head = await read_head(stream)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            await stream.aclose()
            return
        if not head:
            await stream.aclose()
            return
        path = upgrade_path(head, self.ws_endpoints)
        if path is None:
            await self._through_hypercorn(stream, head)
            return
        transport = WsprotoTransport(stream, self.max_message_bytes)
        code, reason = CLOSE_INTERNAL, "the server ended the connection"
        try:
            request = await transport.handshake(head, HEAD_TIMEOUT_S)
            await self.ws_endpoints[path](Upgrade(request, transport))
        except HandshakeError as exc:
            log.info("refused a websocket upgrade: %s", exc)
        except Exception as exc:  # this connection's fault: it ends, the others go on
            if peer_went_away(exc):
                log.info("a websocket on %s ended: the peer went away (%s)", path, exc.__cause__)
            else:
                log.exception("serving a websocket on %s failed; closing it with 1011", path)
                reason = "internal error"
        except BaseException:  # cancelled: the server is stopping
            code, reason = CLOSE_GOING_AWAY, "server stopping"
            raise
        finally:
            await transport.finish(self.close_timeout_s, code, reason)

    async def _through_hypercorn(self, stream: trio.SocketStream, head: bytes) -> None:
        """One connection served by Hypercorn. Whatever escapes it (e.g. its
        ``BusyResourceError`` when two of its tasks write at once) ends this connection
        only: logged with its cause, the socket closed."""
        server = TCPServer(self.app, self.config, self.context, ConnectionState({}),
                           ReplayStream(stream, head))  # type: ignore[arg-type]
        try:
            await server.run()
        except Exception:
            log.exception("serving an HTTP connection failed; closing it")
            with trio.move_on_after(1.0):
                await stream.aclose()

    async def serve(
        self,
        host: str,
        port: int,
        stop_listening: trio.Event,
        task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Serve until ``stop_listening``; then give open connections ``graceful_timeout``."""
        listeners = await trio.open_tcp_listeners(port, host=host)
        if port == 0 and len(listeners) > 1:  # a name with several addresses: one port, one
            for extra in listeners[1:]:  # address (each would get its own random port)
                await extra.aclose()
            listeners = listeners[:1]
        bound: int = listeners[0].socket.getsockname()[1]
        async with trio.open_nursery() as connections:
            async with trio.open_nursery() as accepting:
                accepting.start_soon(
                    lambda: trio.serve_listeners(self.handle, listeners,
                                                 handler_nursery=connections))
                task_status.started(bound)
                await stop_listening.wait()
                accepting.cancel_scope.cancel()
            for listener in listeners:
                await listener.aclose()
            await self.context.terminated.set()  # Hypercorn's idle keep-alives end now
            connections.cancel_scope.deadline = (
                trio.current_time() + self.config.graceful_timeout
            )
