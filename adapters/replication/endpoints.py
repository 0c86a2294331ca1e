"""Serving the primary's end of the link: in the web server, or standalone.

``replication_endpoint(node)`` is the Starlette websocket endpoint for
``/ws/replication``; ``serve_replication`` serves the same on its own port with
trio-websocket (the in-process harness, and a node run without the web server).

Both need of the node only its end of the link (``ReplicationHost``: ``source``, whose
``serve`` speaks to one backup).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import trio
from trio_websocket import WebSocketRequest, serve_websocket

from frontdesk.adapters.replication.channel import Channel, StarletteChannel, TrioWebsocketChannel


class LinkServer(Protocol):
    """The primary's end of the link (``ReplicationSource``)."""

    async def serve(self, channel: Channel) -> None: ...


class ReplicationHost(Protocol):
    """What the endpoints use of the node: its end of the link."""

    @property
    def source(self) -> LinkServer: ...


def replication_endpoint(node: ReplicationHost) -> Callable[[Any], Awaitable[None]]:
    """``WebSocketRoute("/ws/replication", replication_endpoint(node))``."""

    async def endpoint(websocket: Any) -> None:
        await websocket.accept()
        await node.source.serve(StarletteChannel(websocket))

    return endpoint


async def serve_replication(
    node: ReplicationHost,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``node``'s replication endpoint until cancelled; started with the bound port."""

    async def handler(request: WebSocketRequest) -> None:
        ws = await request.accept()
        await node.source.serve(TrioWebsocketChannel(ws))

    async with trio.open_nursery() as nursery:
        server = await nursery.start(
            lambda task_status: serve_websocket(
                handler,
                host,
                port,
                None,
                max_message_size=64 * 1024 * 1024,
                task_status=task_status,
            )
        )
        task_status.started(server.port)
