"""Opening a client websocket without leaking the TCP stream.

trio-websocket 0.12's ``open_websocket_url`` does not close the TCP stream
when the server refuses the upgrade (``ConnectionRejected``): the socket is
only reclaimed by the garbage collector, with a ``ResourceWarning``. Here the
stream is opened by us and closed in every case; the handshake and the
reader task are trio-websocket's (``wrap_client_stream``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import trio
from trio_websocket import HandshakeError, WebSocketConnection, wrap_client_stream

from frontdesk.adapters.client.http import ClientError


@asynccontextmanager
async def open_socket(
    url: str,
    headers: list[tuple[bytes, bytes]],
    *,
    connect_timeout_s: float = 10.0,
    close_timeout_s: float = 1.0,
    message_queue_size: int = 64,
    max_message_size: int = 1 << 20,
) -> AsyncIterator[WebSocketConnection]:
    """A websocket to ``ws://host:port/path`` (plain ws only), closed (1000) on exit."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname:
        raise ClientError(f"expected a ws:// URL, got {url!r}")
    resource = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with trio.fail_after(connect_timeout_s):
            stream = await trio.open_tcp_stream(parts.hostname, parts.port or 80)
    except trio.TooSlowError:
        raise HandshakeError(f"no TCP connection to {url} within {connect_timeout_s} s") \
            from None
    try:
        try:
            async with trio.open_nursery() as nursery:
                try:
                    with trio.fail_after(connect_timeout_s):  # e.g. a paused (SIGSTOP) server
                        ws = await wrap_client_stream(
                            nursery, stream, parts.netloc, resource, extra_headers=headers,
                            message_queue_size=message_queue_size,
                            max_message_size=max_message_size,
                        )
                except trio.TooSlowError:
                    raise HandshakeError(
                        f"no websocket handshake from {url} within {connect_timeout_s} s"
                    ) from None
                try:
                    yield ws
                finally:
                    with trio.move_on_after(close_timeout_s) as scope:
                        scope.shield = True
                        await ws.aclose()
                    nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            raise one_exception(group) from None
    finally:
        await trio.aclose_forcefully(stream)


def one_exception(group: BaseExceptionGroup) -> BaseException:
    """The single meaningful exception of a nursery's group (cancellations aside)."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop()
        if isinstance(exc, BaseExceptionGroup):
            stack.extend(exc.exceptions)
        elif not isinstance(exc, trio.Cancelled):
            leaves.append(exc)
    if len(leaves) == 1:
        return leaves[0]
    return group
