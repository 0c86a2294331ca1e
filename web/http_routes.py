"""The plain HTTP side: pages, the JSON API, health, metrics, inspection."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import trio
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from frontdesk.adapters import gcstats
from frontdesk.engine.status import Status
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.login_guard import LoginRefused
from frontdesk.web.role_page import wrong_role_page

MAX_LOGIN_BODY_BYTES = 8192


def api_error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def not_serving(ctx: ServerContext) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body refusing a websocket upgrade on a node not serving.

    A node that is not primary names the node it believes to be primary
    (``primary``, a base URL, from ``primary_hint()`` when the node has it) so
    that clients go there next instead of walking their list of URLs.
    """
    node = ctx.node
    if ctx.accepting and node.role != "primary":
        hint_of = getattr(node, "primary_hint", None)
        hint = str(hint_of()) if callable(hint_of) else ""
        message = (f"this node ({ctx.options.node_name}) is {node.role} of epoch {node.epoch}; "
                   f"the primary is {hint or 'unknown'}")
        error: dict[str, Any] = {"code": "not_primary", "message": message}
        if hint:
            error["primary"] = hint
        return 503, {"error": error}
    return 503, {"error": {"code": "unavailable",
                           "message": "the server is not accepting connections"}}


async def manager_refusal(ctx: ServerContext, request: Request) -> Response | None:
    """None for a manager (a session, or HTTP Basic credentials), else the refusal."""
    user = await auth.session_user(ctx.accounts, request.cookies)
    if not auth.has_role(user, "manager"):
        checked = await ctx.logins().check_basic(
            ctx.accounts, request.headers.get("authorization"), _address(request))
        if isinstance(checked, LoginRefused):
            return api_error(checked.status, checked.code, checked.message, **checked.headers())
        user = checked
    if user is None or not auth.has_role(user, "manager"):
        return api_error(401, "no_session", "manager credentials required",
                         **{"WWW-Authenticate": 'Basic realm="frontdesk"'})
    return None


class HttpRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    # --- pages ---------------------------------------------------------------------------

    def page(self, name: str) -> Response:
        path = self.ctx.options.static_dir / name
        if not path.is_file():
            return PlainTextResponse(f"page {name} is not installed", 404)
        return FileResponse(path, media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def index(self, request: Request) -> Response:
        return self.page("index.html")

    async def demo(self, request: Request) -> Response:
        return self.page("demo.html")

    async def login_page(self, request: Request) -> Response:
        return self.page("login.html")

    async def console(self, request: Request) -> Response:
        return await self._guarded(request, "operator", "console.html", "/console")

    async def manager(self, request: Request) -> Response:
        return await self._guarded(request, "manager", "manager.html", "/manager")

    async def _guarded(self, request: Request, role: str, page: str, path: str) -> Response:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            return RedirectResponse("/login?" + urlencode({"next": path}), 303)
        if not auth.has_role(user, role):  # logged in, but not as this role: no login loop
            return wrong_role_page(user, role, path, auth.home_page(user))
        return self.page(page)

    # --- API -----------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if not self._origin_ok(request):
            return api_error(403, "forbidden_origin", "a login must come from this site's pages")
        ctype = request.headers.get("content-type", "")
        is_form = ctype.startswith("application/x-www-form-urlencoded")
        if not is_form and "json" not in ctype:
            return api_error(415, "bad_content_type",
                             f"expected application/json or a url-encoded form, got {ctype!r}")
        body = await request.body()
        if len(body) > MAX_LOGIN_BODY_BYTES:
            return api_error(413, "too_large", "the login body is over 8 KiB")
        try:
            if is_form:
                data: dict[str, Any] = dict(parse_qsl(body.decode("utf-8"), max_num_fields=10))
            else:
                data = _json_object(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return api_error(400, "bad_json", f"expected a JSON object {{login, password}}: {exc}")
        login, password = data.get("login"), data.get("password")
        next_path = _local_path(data.get("next"))
        if not isinstance(login, str) or not isinstance(password, str) or not login:
            if is_form:
                return self._back_to_login("missing_field", next_path)
            return api_error(400, "missing_field", "expected string fields 'login' and 'password'")
        checked = await self.ctx.logins().check(self.ctx.accounts, login, password,
                                                _address(request))
        if isinstance(checked, LoginRefused):
            if is_form:
                return self._back_to_login(checked.code, next_path)
            return api_error(checked.status, checked.code, checked.message, **checked.headers())
        user = checked
        if user is None:
            if is_form:
                return self._back_to_login("bad_credentials", next_path)
            return api_error(401, "bad_credentials", "wrong login or password")
        token: str = await _in_thread(self.ctx.accounts.new_session, user)
        response: Response
        if is_form:
            target = next_path or auth.home_page(user)
            response = RedirectResponse(target, 303)
        else:
            response = JSONResponse({"user": auth.user_json(user)})
        response.set_cookie(
            auth.SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
            secure=self.ctx.options.secure_cookies,
        )
        return response

    def _back_to_login(self, code: str, next_path: str | None) -> Response:
        query = {"error": code, **({"next": next_path} if next_path else {})}
        return RedirectResponse("/login?" + urlencode(query, quote_via=quote), 303)

    async def logout(self, request: Request) -> Response:
        if not self._origin_ok(request):
            return api_error(403, "forbidden_origin", "a logout must come from this site's pages")
        token = request.cookies.get(auth.SESSION_COOKIE)
        if token:
            await _in_thread(self.ctx.accounts.end_session, token)
            await self.ctx.sessions.end_token(token, "logout")  # its live sockets too
        response = JSONResponse({"ok": True})
        response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    async def me(self, request: Request) -> Response:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            return api_error(401, "no_session", "not logged in")
        return JSONResponse({"user": auth.user_json(user)})

    async def config(self, request: Request) -> Response:
        options = self.ctx.options
        return JSONResponse({
            "node": options.node_name,
            "nodes": self.ctx.nodes(),
            "visitor_info_fields": list(options.visitor_info_fields),
            "statuses": [
                {"value": s.value, "label": s.label, "takes_new_dialogs": s.takes_new_dialogs}
                for s in Status
            ],
            "max_frame_bytes": options.max_frame_bytes,
            "widget_keep_s": options.widget_keep_s,
        })

    async def healthz(self, request: Request) -> Response:
        """Role, epoch, readiness; a cluster node adds its ``health()`` (lag, link state).

        Ready: the node's role serves and every readiness condition holds
        (``web/readiness.py``); when not, ``not_ready`` says why, by condition (the
        role as ``serving``), and the status is 503."""
        node = self.ctx.node
        body: dict[str, Any] = {"role": node.role, "epoch": node.epoch,
                                "node": self.ctx.options.node_name}
        body.update(self._cluster_health())
        failing = self.ctx.readiness.failing()
        if not node.ready:
            failing = {"serving": f"this node is {node.role} of epoch {node.epoch}, "
                                  "not serving", **failing}
        body["ready"] = not failing
        if failing:
            body["not_ready"] = failing
        return JSONResponse(body, 200 if body["ready"] else 503)

    def _cluster_health(self) -> dict[str, Any]:
        """A cluster node's ``health()`` (lag, link state); empty on a single node."""
        health = getattr(self.ctx.node, "health", None)
        return dict(health()) if callable(health) else {}

    async def metrics(self, request: Request) -> Response:
        """Prometheus text; a cluster node appends its ``metrics_text()`` (role, epoch, lag)."""
        snapshot = self.ctx.engine.snapshot() if self.ctx.node.ready else None
        extra = [gcstats.render_prometheus().rstrip("\n"), *self.ctx.readiness.metrics()]
        if self.ctx.mail is not None:
            extra.append(self.ctx.mail.worker.metrics_text())
        metrics_text = getattr(self.ctx.node, "metrics_text", None)
        if callable(metrics_text):
            extra.append(str(metrics_text()).rstrip("\n"))
        with self.ctx._metrics_lock:
            text = self.ctx.metrics.render(snapshot, extra)
        return PlainTextResponse(text.replace("\n\n", "\n"),
                                 media_type="text/plain; version=0.0.4; charset=utf-8")

    async def inspect(self, request: Request) -> Response:
        refused = await manager_refusal(self.ctx, request)
        if refused is not None:
            return refused
        if not self.ctx.node.ready:
            return api_error(503, "unavailable", f"this node is {self.ctx.node.role}, not serving")
        snapshot = self.ctx.engine.snapshot()
        if cluster := self._cluster_health():
            snapshot["cluster"] = cluster  # role, epoch, replication lag, link state
        return JSONResponse(snapshot)

    def _origin_ok(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:  # not a browser cross-site request (curl, the Python client)
            return True
        return auth.origin_allowed(origin, request.headers.get("host"),
                                   self.ctx.options.allowed_origins)


def _json_object(body: bytes) -> dict[str, Any]:
    obj = json.loads(body or b"null")
    if not isinstance(obj, dict):
        raise ValueError("the body is not a JSON object")
    return obj


def _local_path(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") \
            and "\\" not in value:
        return value
    return None


def _address(request: Request) -> str:
    """The client's IP address, the throttle's per-address key."""
    return request.client.host if request.client else "unknown"


async def _in_thread(fn: Any, *args: Any) -> Any:
    return await trio.to_thread.run_sync(fn, *args)
