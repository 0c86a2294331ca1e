"""``POST /api/password``: a logged-in user changes their own password.

The current password is checked through the login guard (throttled, bounded hashing, as a
login is). The change ends every session of the user, on this node at once and on the
other node when the change replicates (``sessions_after``): every socket of that user is
closed with 1008 "session ended". The caller gets a fresh session cookie.
"""

from __future__ import annotations

import json
from typing import Any

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from frontdesk.adapters.account_models import AccountError
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.login_guard import LoginRefused

MAX_BODY_BYTES = 8192


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


async def change_password(ctx: ServerContext, request: Request) -> Response:
    origin = request.headers.get("origin")
    if origin is not None and not auth.origin_allowed(
            origin, request.headers.get("host"), ctx.options.allowed_origins):
        return _error(403, "forbidden_origin", "a password change must come from this site")
    user = await auth.session_user(ctx.accounts, request.cookies)
    if user is None:
        return _error(401, "no_session", "not logged in")
    ctype = request.headers.get("content-type", "")
    if "json" not in ctype.lower():  # only then has frontdesk.web.json_body checked its strings
        return _error(415, "bad_content_type", f"expected application/json, got {ctype!r}")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        data: Any = json.loads(body or b"null")
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return _error(400, "bad_json", "expected a JSON object {password, new_password}")
    current, new = data.get("password"), data.get("new_password")
    if not isinstance(current, str) or not isinstance(new, str):
        return _error(400, "missing_field", "expected string fields 'password' and 'new_password'")
    address = request.client.host if request.client else "unknown"
    checked = await ctx.logins().check(ctx.accounts, user.login, current, address)
    if isinstance(checked, LoginRefused):
        return _error(checked.status, checked.code, checked.message, **checked.headers())
    if checked is None:
        return _error(401, "bad_credentials", "wrong password")
    try:
        await trio.to_thread.run_sync(ctx.accounts.set_password, user.login, new)
    except AccountError as exc:
        return _error(400, "bad_field", str(exc))
    await ctx.sessions.end_login(user.login, "password changed")
    token: str = await trio.to_thread.run_sync(ctx.accounts.new_session, checked)
    response = JSONResponse({"user": auth.user_json(checked)})
    response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=ctx.options.secure_cookies)
    return response
