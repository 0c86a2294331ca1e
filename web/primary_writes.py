"""Writes to the tables that replicate as rows go to the primary only.

The knowledge base's articles, the predefined answers, the gallery, the survey templates and
the offline messages cross the replication link as whole tables (``row_link.py``,
``gallery_link.py``): the backup keeps what the primary has and deletes the rest. A write
taken by a backup would be overwritten or deleted at its next flush, and its id could be the
primary's next one: lost, or worse, another's. So on a node that is not the primary, a
request that changes one of them (any method but GET, HEAD and OPTIONS under their paths) is
refused ``503 not_primary``, naming the primary when the node knows it, before it reaches a
route; reads are served. The pages go to the primary anyway; a client told ``not_primary``
goes there as for a websocket (``docs/protocol.md``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from frontdesk.web.context import ServerContext

ROW_TABLES = ("/api/knowledge", "/api/predefined", "/api/gallery", "/api/surveys",
              "/api/offline")
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _under(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in ROW_TABLES)


class PrimaryWrites:
    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        node = self.ctx.node
        if (scope["type"] != "http" or scope["method"] in READS or node.role == "primary"
                or not _under(scope["path"])):
            await self.app(scope, receive, send)
            return
        hint_of = getattr(node, "primary_hint", None)
        hint = str(hint_of()) if callable(hint_of) else ""
        error = {"code": "not_primary",
                 "message": f"this node ({self.ctx.options.node_name}) is {node.role} of epoch "
                            f"{node.epoch} and takes no writes of {scope['path']}; the primary "
                            f"is {hint or 'unknown'}"}
        if hint:
            error["primary"] = hint
        body = json.dumps({"error": error}).encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})  # the body was not read: the connection ends
        await send({"type": "http.response.body", "body": body})
