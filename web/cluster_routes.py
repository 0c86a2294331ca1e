"""Routes a cluster node adds to the app (issue 5), kept apart from the single-node app.

* ``/ws/replication``: the primary's end of the replication link (the backup
  dials it with trio-websocket; an HMAC challenge on the cluster secret
  authenticates both ends), served by the front (``frontdesk.web.ws_replication``);
* ``GET /api/cluster``: the node's role, epoch, replication lag and link state;
* ``POST /api/cluster/switchover``: hand the primary role to the caught-up
  backup: a session allowed by ``frontdesk.web.switch_back`` (a manager; an operator when
  ``cluster.operators_may_switch_back``), throttled per user, or HTTP Basic with a
  manager's credentials (throttled like a login). The answer carries CORS headers
  for an allowed origin, so the console of the other node can read it;
  Asked of the backup, the node forwards it to the primary it follows (once: a
  forwarded request is marked ``X-Frontdesk-Forwarded``), so either node's URL works;
* ``GET /api/cluster/switch-back``: whether the session's user may switch back.
"""

from __future__ import annotations

import time

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from frontdesk.adapters.client.http import ClientError, http_request
from frontdesk.adapters.replication.node import ClusterNode
from frontdesk.engine.cluster import ClusterError
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.login_guard import LoginRefused
from frontdesk.web.switch_back import (
    SwitchBackPolicy,
    SwitchBackThrottle,
    cors_headers,
    may_switch_back_route,
    refusal,
    session_switch_back,
)
from frontdesk.web.ws_replication import replication_upgrade
from frontdesk.web.ws_transport import refuse_reused_connection

FORWARDED = "x-frontdesk-forwarded"  # a switchover a backup passed on to its primary


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
            if not auth.has_role(user, "manager"):
                return refusal(401, "no_session", "manager credentials required",
                               {**headers, "WWW-Authenticate": 'Basic realm="frontdesk"'})
        if not node.is_primary:
            return await forward_switchover(request, headers)
        try:
            await node.switchover(timeout_s=node.settings.failover_timeout_s * 4)
        except ClusterError as e:
            return refusal(409, "refused", str(e), headers)
        except trio.TooSlowError:
            return refusal(504, "timeout", "the backup did not take over in time", headers)
        return JSONResponse(node.health(), headers=headers)

    async def forward_switchover(request: Request, cors: dict[str, str]) -> Response:
        """A switchover asked of the backup: the primary it follows hands the role to it."""
        primary = node.primary_hint().rstrip("/")
        me = ctx.options.node_name
        reachable = primary.startswith("http://")  # what the HTTP client speaks
        if request.headers.get(FORWARDED) or not reachable or node.role != "backup":
            return refusal(409, "refused", (
                f"this node ({me}) is {node.role} of epoch {node.epoch}, not the primary: a "
                f"switchover is done by the primary ({primary or 'unknown'}); run "
                f"frontdesk switchover --node {primary or '<the primary URL>'} --login <manager>"
            ), cors)
        headers = {FORWARDED: me}
        for name in ("authorization", "cookie"):
            if name in request.headers:
                headers[name] = request.headers[name]
        try:
            answer = await http_request(
                "POST", f"{primary}/api/cluster/switchover", headers=headers,
                timeout_s=node.settings.failover_timeout_s * 6,
            )
        except (ClientError, OSError) as e:
            return refusal(502, "unavailable", (
                f"this node ({me}) is the backup; it asked the primary {primary} to hand "
                f"its role over and got no answer: {e}"
            ), cors)
        return Response(answer.body, answer.status, headers=cors, media_type="application/json")

    return [
        WebSocketRoute("/ws/replication", refuse_reused_connection),
        Route("/api/cluster", health),
        Route("/api/cluster/switchover", switchover, methods=["POST"]),
        Route("/api/cluster/switch-back", may_switch_back_route(ctx, policy)),
    ]
