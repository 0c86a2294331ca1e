"""Routes a cluster node adds to the app (issue 5), kept apart from the single-node app.

* ``/ws/replication``: the primary's end of the replication link (the backup
  dials it with trio-websocket; an HMAC challenge on the cluster secret
  authenticates both ends), served by the front (``web.ws_replication``);
* ``GET /api/cluster``: the node's role, epoch, replication lag and link state;
* ``POST /api/cluster/switchover``: hand the primary role to the caught-up
  backup (a manager session, or HTTP Basic with a manager's credentials).
"""

from __future__ import annotations

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from adapters.replication.node import ClusterNode
from engine.cluster import ClusterError
from web import auth
from web.context import ServerContext
from web.login_guard import LoginRefused
from web.ws_replication import replication_upgrade
from web.ws_transport import refuse_reused_connection


def cluster_routes(ctx: ServerContext, node: ClusterNode) -> list[BaseRoute]:
    """The routes, and ``/ws/replication`` among the front's websocket endpoints (the
    Starlette route of that path only refuses an upgrade on a reused connection)."""
    ctx.ws_endpoints["/ws/replication"] = replication_upgrade(node)

    async def health(request: Request) -> Response:
        return JSONResponse(node.health())

    async def switchover(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and not auth.origin_allowed(
            origin, request.headers.get("host"), ctx.options.allowed_origins
        ):
            return JSONResponse(
                {"error": {"code": "forbidden_origin", "message": f"origin {origin} not allowed"}},
                403,
            )
        user = await auth.session_user(ctx.accounts, request.cookies)
        if user is None or user.role != "manager":
            checked = await ctx.logins().check_basic(  # throttled like a login
                ctx.accounts, request.headers.get("authorization"),
                request.client.host if request.client else "unknown")
            user = None if isinstance(checked, LoginRefused) else checked
        if user is None or user.role != "manager":
            return JSONResponse(
                {"error": {"code": "no_session", "message": "manager credentials required"}},
                401,
                headers={"WWW-Authenticate": 'Basic realm="frontdesk"'},
            )
        try:
            await node.switchover(timeout_s=node.settings.failover_timeout_s * 4)
        except ClusterError as e:
            return JSONResponse({"error": {"code": "refused", "message": str(e)}}, 409)
        except trio.TooSlowError:
            return JSONResponse(
                {"error": {"code": "timeout", "message": "the backup did not take over in time"}},
                504,
            )
        return JSONResponse(node.health())

    return [
        WebSocketRoute("/ws/replication", refuse_reused_connection),
        Route("/api/cluster", health),
        Route("/api/cluster/switchover", switchover, methods=["POST"]),
    ]
