"""Liveness of a connected socket: ping, and give the socket up when a pong is late.

A paused (SIGSTOPped) or black-holed server keeps the TCP socket open, so nothing
else would tell the client. The server answers pings on its event loop, not
through the engine, so a busy engine causes no false alarm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio
from trio_websocket import ConnectionClosed, WebSocketConnection

from frontdesk.adapters.client.reconnect import abort

log = logging.getLogger("frontdesk.client")


async def keepalive(
    ws: WebSocketConnection,
    interval_s: float,
    timeout_s: float,
    missed: Callable[[], None],
    scope: trio.CancelScope,
) -> None:
    """Ping every ``interval_s`` (until ``scope`` is cancelled); when a pong does not come
    within ``timeout_s``, call ``missed()`` and abort the socket (the reader then sees
    the loss, and the node counts as a failed attempt)."""
    with scope:
        while True:
            await trio.sleep(interval_s)
            with trio.move_on_after(timeout_s) as waited:
                try:
                    await ws.ping()
                except (ConnectionClosed, trio.BrokenResourceError, trio.ClosedResourceError):
                    return  # the reader sees the loss too
            if waited.cancelled_caught:
                log.info("no pong within %s s: dropping the socket", timeout_s)
                missed()
                await abort(ws)
                return
