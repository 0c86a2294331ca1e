"""The Starlette application: routes, websocket endpoints, security headers."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.web import auth
from frontdesk.web.audit_routes import routes as audit_routes
from frontdesk.web.context import ServerContext
from frontdesk.web.file_routes import routes as file_routes
from frontdesk.web.front import Upgrade
from frontdesk.web.http_routes import HttpRoutes, not_serving
from frontdesk.web.json_body import JsonBodyGuard
from frontdesk.web.knowledge_routes import routes as knowledge_routes
from frontdesk.web.monitored_routes import routes as monitored_routes
from frontdesk.web.offline_routes import routes as offline_routes
from frontdesk.web.password_route import change_password
from frontdesk.web.predefined_routes import routes as predefined_routes
from frontdesk.web.presence import Presence
from frontdesk.web.primary_writes import PrimaryWrites
from frontdesk.web.report_routes import routes as report_routes
from frontdesk.web.survey_routes import routes as survey_routes
from frontdesk.web.transcript_routes import routes as transcript_routes
from frontdesk.web.visitor_presence import VisitorPresenceTracker
from frontdesk.web.ws_base import WsConnection
from frontdesk.web.ws_manager import ManagerConnection
from frontdesk.web.ws_operator import OperatorConnection
from frontdesk.web.ws_transport import REFUSAL_HEADERS, Transport, refuse_reused_connection
from frontdesk.web.ws_visitor import VisitorConnection

for _ext in (".js", ".mjs"):
    mimetypes.add_type("text/javascript", _ext)
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")


def content_security_policy(nodes: list[str]) -> str:
    others = [n.rstrip("/") for n in nodes[1:]]
    sockets = [n.replace("http://", "ws://", 1).replace("https://", "wss://", 1) for n in others]
    connect = " ".join(["'self'", *others, *sockets])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; "
        "object-src 'none'"
    )


class SecurityHeaders:
    """Adds nosniff everywhere, the CSP on HTML, CORS on public static files and config."""

    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        public = path.startswith("/static/") or path in ("/api/config", "/api/availability")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                ctype = dict(headers).get(b"content-type", b"")
                if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
                    csp = content_security_policy(self.ctx.nodes())
                    headers.append((b"content-security-policy", csp.encode()))
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                if public:
                    headers.append((b"access-control-allow-origin", b"*"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


HTTP_ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                    413: "too_large", 415: "bad_content_type"}


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an operator", "a manager"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _refusal(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": code, "message": message}}


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no route, wrong method): JSON on ``/api/*``, text elsewhere."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    code = HTTP_ERROR_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = f"{exc.detail}: {request.method} {request.url.path}"
    return JSONResponse({"error": {"code": code, "message": message}}, exc.status_code,
                        headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    """A route that raised: a JSON 500 that shows nothing of the cause (Hypercorn logs it,
    with its traceback, as the exception goes on up)."""
    message = f"the server failed handling {request.method} {request.url.path}"
    return JSONResponse({"error": {"code": "internal", "message": message}}, 500)


def build_app(ctx: ServerContext, extra_routes: Sequence[BaseRoute] = ()) -> ASGIApp:
    """The app; ``extra_routes`` (e.g. ``frontdesk.web.cluster_routes``) go before the static mount.

    ``SecurityHeaders`` wraps the whole Starlette app, outside its error middleware, so
    that a 500 carries them too; ``JsonBodyGuard`` checks JSON bodies before any route."""
    if ctx.presence is None:
        ctx.presence = Presence(lambda: ctx.engine, ctx.clock, ctx.options.operator_grace_s)
    if ctx.visitor_presence is None:
        ctx.visitor_presence = VisitorPresenceTracker(
            lambda: ctx.engine, ctx.clock, ctx.options.visitor_grace_s)
    http = HttpRoutes(ctx)

    async def gate(
        headers: Mapping[str, str], cookies: Mapping[str, str], role: str | None
    ) -> tuple[Any, tuple[int, dict[str, Any]] | None]:
        """(the user, None) to go on, or (None, (status, body)) to refuse the upgrade."""
        if not ctx.accepting or not ctx.node.ready:
            return None, not_serving(ctx)  # a backup names the primary
        origin, host = headers.get("origin"), headers.get("host")
        if not auth.origin_allowed(origin, host, ctx.options.allowed_origins):
            return None, _refusal(403, "forbidden_origin",
                                  f"expected an Origin of this site or of "
                                  f"server.allowed_origins, got {origin!r}")
        if role is None:
            return None, None
        user = await auth.session_user(ctx.accounts, cookies)
        if user is None:
            return None, _refusal(403, "no_session",
                                  f"the {role} endpoint needs {_a(role)} session")
        if not auth.has_role(user, role):
            return None, _refusal(403, "wrong_role",
                                  f"the {role} endpoint needs {_a(role)} session, "
                                  f"got {' and '.join(auth.roles(user))}'s")
        return user, None

    endpoints: dict[str, tuple[str | None, Callable[[Transport, Any], WsConnection]]] = {
        "/ws/visitor": (None, lambda t, _user: VisitorConnection(ctx, t)),
        "/ws/operator": ("operator", lambda t, user: OperatorConnection(ctx, t, user)),
        "/ws/manager": ("manager", lambda t, user: ManagerConnection(ctx, t, user)),
    }

    async def upgrade(
        path: str, headers: Mapping[str, str], cookies: Mapping[str, str],
        transport: Transport, refuse: Callable[[int, dict[str, Any]], Awaitable[None]],
    ) -> None:
        role, make = endpoints[path]
        user, refusal = await gate(headers, cookies, role)
        token = cookies.get(auth.SESSION_COOKIE, "")
        if refusal is None and user is not None and ctx.sessions.is_ended(token):
            refusal = _refusal(403, "no_session", "the session ended while the upgrade waited")
        if refusal is not None:
            await refuse(*refusal)
            return
        conn = make(transport, user)
        if user is None:
            await conn.serve()
            return
        with ctx.sessions.holding(token, user.login, conn):  # a logout closes it (1008)
            await conn.serve()

    async def direct(up: Upgrade) -> None:  # through the front, no ASGI
        async def refuse(status: int, body: dict[str, Any]) -> None:
            await up.transport.reject(status, json.dumps(body).encode(), "application/json",
                                      REFUSAL_HEADERS)

        await upgrade(up.path, up.headers, up.cookies, up.transport, refuse)

    # the front serves every upgrade; cluster routes may have added /ws/replication
    ctx.ws_endpoints.update(dict.fromkeys(endpoints, direct))

    routes = [
        Route("/", http.index),
        Route("/demo", http.demo),
        Route("/login", http.login_page),
        Route("/console", http.console),
        Route("/manager", http.manager),
        Route("/api/login", http.login, methods=["POST"]),
        Route("/api/logout", http.logout, methods=["POST"]),
        Route("/api/password", partial(change_password, ctx), methods=["POST"]),
        Route("/api/me", http.me),
        Route("/api/config", http.config),
        Route("/api/inspect", http.inspect),
        Route("/healthz", http.healthz),
        Route("/metrics", http.metrics),
        *(WebSocketRoute(path, refuse_reused_connection) for path in endpoints),
        *transcript_routes(ctx),
        *monitored_routes(ctx),
        *audit_routes(ctx),
        *file_routes(ctx),
        *knowledge_routes(ctx),
        *predefined_routes(ctx),
        *survey_routes(ctx),
        *report_routes(ctx),
        *offline_routes(ctx),
        *extra_routes,
        Mount("/static", StaticFiles(directory=ctx.options.static_dir, check_dir=False),
              name="static"),
    ]
    app = Starlette(routes=routes,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.add_middleware(JsonBodyGuard)
    return SecurityHeaders(PrimaryWrites(app, ctx), ctx)
