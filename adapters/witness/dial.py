"""Dial a websocket with trio-websocket, leaking nothing when cancelled or timed out.

Shared by the witness client and the replication follower.

``open_websocket_url`` leaves its socket open when it is cancelled during the
opening handshake (the connection object never reaches the caller, so nobody
closes the stream). A node dials its peer and the witness under tight
timeouts, so it opens the TCP stream itself, hands it to
``wrap_client_stream``, and always closes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import trio
from trio_websocket import ConnectionClosed, HandshakeError, WebSocketConnection, wrap_client_stream

from frontdesk.engine.errors import AdapterError


class DialError(AdapterError):
    """A websocket could not be opened: refused, unreachable, or too slow."""


@contextlib.asynccontextmanager
async def dial(
    url: str, timeout_s: float, max_message_size: int = 1024 * 1024
) -> AsyncIterator[WebSocketConnection]:
    """Open ``ws://host:port/path``; raise ``DialError`` if it takes over ``timeout_s``."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname is None or parts.port is None:
        raise DialError(f"cannot dial {url!r}: expected ws://host:port/path")
    resource = parts.path or "/"
    error: BaseException | None = None
    async with trio.open_nursery() as nursery:
        stream: trio.SocketStream | None = None
        try:
            with trio.fail_after(timeout_s):
                stream = await trio.open_tcp_stream(parts.hostname, parts.port)
                ws = await wrap_client_stream(
                    nursery,
                    stream,
                    f"{parts.hostname}:{parts.port}",
                    resource,
                    max_message_size=max_message_size,
                )
        except BaseException as e:  # re-raised below, outside the nursery (no group)
            if stream is not None:
                with trio.CancelScope(shield=True):
                    await trio.aclose_forcefully(stream)
            nursery.cancel_scope.cancel()
            expected = (
                OSError,
                trio.TooSlowError,
                HandshakeError,
                ConnectionClosed,
                trio.BrokenResourceError,
            )
            error = DialError(f"cannot open {url}: {e!r}") if isinstance(e, expected) else e
        else:
            try:
                yield ws
            except BaseException as e:  # re-raised below, outside the nursery (no group)
                error = e
            finally:
                with trio.CancelScope(shield=True):
                    with trio.move_on_after(0.2):
                        await ws.aclose()
                    await trio.aclose_forcefully(stream)
                nursery.cancel_scope.cancel()
    if error is not None:
        raise error
