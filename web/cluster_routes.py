"""Routes a cluster node adds to the app (issue 5), kept apart from the single-node app.

* ``/ws/replication``: the primary's end of the replication link (the backup
  dials it with trio-websocket; a shared secret in the hello authenticates it);
* ``GET /api/cluster``: the node's role, epoch, replication lag and link state;
* ``POST /api/cluster/switchover``: hand the primary role to the caught-up
  backup (a manager session, or HTTP Basic with a manager's credentials). Asked of
  the backup, the node forwards it to the primary it follows (once: a forwarded
  request is marked ``X-Frontdesk-Forwarded``), so either node's URL works.
"""

from __future__ import annotations

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from adapters.client.http import ClientError, http_request
from adapters.replication.endpoints import replication_endpoint
from adapters.replication.node import ClusterNode
from engine.cluster import ClusterError
from web import auth
from web.context import ServerContext
from web.login_guard import LoginRefused

FORWARDED = "x-frontdesk-forwarded"  # a switchover a backup passed on to its primary


def cluster_routes(ctx: ServerContext, node: ClusterNode) -> list[BaseRoute]:
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
        if not node.is_primary:
            return await forward_switchover(request)
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

    async def forward_switchover(request: Request) -> Response:
        """A switchover asked of the backup: the primary it follows hands the role to it."""
        primary = node.primary_hint().rstrip("/")
        me = ctx.options.node_name
        reachable = primary.startswith("http://")  # what the HTTP client speaks
        if request.headers.get(FORWARDED) or not reachable or node.role != "backup":
            return JSONResponse({"error": {"code": "refused", "message": (
                f"this node ({me}) is {node.role} of epoch {node.epoch}, not the primary: a "
                f"switchover is done by the primary ({primary or 'unknown'}); run "
                f"frontdesk switchover --node {primary or '<the primary URL>'} --login <manager>"
            )}}, 409)
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
            return JSONResponse({"error": {"code": "unavailable", "message": (
                f"this node ({me}) is the backup; it asked the primary {primary} to hand "
                f"its role over and got no answer: {e}"
            )}}, 502)
        return Response(answer.body, answer.status, media_type="application/json")

    return [
        WebSocketRoute("/ws/replication", replication_endpoint(node)),
        Route("/api/cluster", health),
        Route("/api/cluster/switchover", switchover, methods=["POST"]),
    ]
