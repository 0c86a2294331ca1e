"""Routes a cluster node adds to the app (issue 5), kept apart from the single-node app.

* ``/ws/replication``: the primary's end of the replication link (the backup
  dials it with trio-websocket; an HMAC challenge on the cluster secret
  authenticates both ends), served by the front (``web.ws_replication``);
* ``GET /api/cluster``: the node's role, epoch, replication lag and link state;
* ``POST /api/cluster/switchover``: hand the primary role to the caught-up
  backup: a session allowed by ``web.switch_back`` (a manager; an operator when
  ``cluster.operators_may_switch_back``), throttled per user, or HTTP Basic with a
  manager's credentials (throttled like a login). The answer carries CORS headers
  for an allowed origin, so the console of the other node can read it;
* ``GET /api/cluster/switch-back``: whether the session's user may switch back.
"""

from __future__ import annotations

import time

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from adapters.replication.node import ClusterNode
from engine.cluster import ClusterError
from web import auth
from web.context import ServerContext
from web.login_guard import LoginRefused
from web.switch_back import (
    SwitchBackPolicy,
    SwitchBackThrottle,
    cors_headers,
    may_switch_back_route,
    refusal,
    session_switch_back,
)
from web.ws_replication import replication_upgrade
from web.ws_transport import refuse_reused_connection


def cluster_routes(
    ctx: ServerContext, node: ClusterNode, policy: SwitchBackPolicy | None = None
) -> list[BaseRoute]:
    """The routes, and ``/ws/replication`` among the front's websocket endpoints (the
    Starlette route of that path only refuses an upgrade on a reused connection)."""
    ctx.ws_endpoints["/ws/replication"] = replication_upgrade(node)
    policy = policy or SwitchBackPolicy()
    throttle = SwitchBackThrottle(policy.min_interval_s)

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
        headers = cors_headers(request)
        user, refused = await session_switch_back(ctx, request, policy, throttle, time.monotonic)
        if refused is not None:
            return refused
        if user is None:  # no session: a manager's HTTP Basic credentials, throttled like a login
            checked = await ctx.logins().check_basic(
                ctx.accounts, request.headers.get("authorization"),
                request.client.host if request.client else "unknown")
            user = None if isinstance(checked, LoginRefused) else checked
            if user is None or user.role != "manager":
                return refusal(401, "no_session", "manager credentials required",
                               {**headers, "WWW-Authenticate": 'Basic realm="frontdesk"'})
        try:
            await node.switchover(timeout_s=node.settings.failover_timeout_s * 4)
        except ClusterError as e:
            return refusal(409, "refused", str(e), headers)
        except trio.TooSlowError:
            return refusal(504, "timeout", "the backup did not take over in time", headers)
        return JSONResponse(node.health(), headers=headers)

    return [
        WebSocketRoute("/ws/replication", refuse_reused_connection),
        Route("/api/cluster", health),
        Route("/api/cluster/switchover", switchover, methods=["POST"]),
        Route("/api/cluster/switch-back", may_switch_back_route(ctx, policy)),
    ]
