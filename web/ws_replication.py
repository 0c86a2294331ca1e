"""``/ws/replication`` on the front's own websocket transport, like the client endpoints.

The replication source (``frontdesk.adapters.replication.source``) talks to a ``Channel``;
``TransportChannel`` is that channel over a ``frontdesk.web.ws_transport.Transport``. Served through
the front (``frontdesk.web.front``) rather than through Hypercorn's websocket stream, the link gets
the same RFC 6455 handling as every other socket of the node: a peer's protocol error is
failed with 1002/1007, a frame over ``server.max_frame_bytes`` with 1009 (Hypercorn closed
the former with 1000 and, after a frame too large, glued the next message onto the
remains of that one).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import trio

from frontdesk.adapters.replication.protocol import (
    LinkClosedError,
    ReplicationError,
    decode,
    encode,
)
from frontdesk.web.ws_transport import Transport

if TYPE_CHECKING:
    from frontdesk.adapters.replication.node import ClusterNode
    from frontdesk.web.front import Upgrade, WsHandler


class TransportChannel:
    """A replication ``Channel`` over the front's transport."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def send(self, frame: dict[str, Any]) -> None:
        try:
            await self.transport.send_texts([encode(frame)])
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError) as e:
            raise LinkClosedError(
                f"cannot send {frame.get('type')}: the link closed ({e!r})") from None

    async def receive(self, *expected: str) -> dict[str, Any]:
        wanted = " or ".join(expected)
        raw = await self.transport.receive()
        if raw is None:
            raise LinkClosedError(f"expected {wanted}: the link closed")
        if not isinstance(raw, str):
            raise ReplicationError(f"expected {wanted}, got a binary frame")
        return decode(raw, *expected)

    async def close(self, code: int = 1001, reason: str = "") -> None:
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            await self.transport.send_close(code, reason)  # unless the peer is gone already


def replication_upgrade(node: ClusterNode) -> WsHandler:
    """The front's handler of ``/ws/replication`` for ``node``."""

    async def serve(up: Upgrade) -> None:
        await up.transport.accept()
        await node.source.serve(TransportChannel(up.transport))

    return serve
