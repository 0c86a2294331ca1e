"""Monitored dialogs (``docs/protocol.md``, "Monitored dialogs").

- ``POST /api/monitored`` ``{"name", "email", "text"}``, an operator's session cookie: the
  engine opens a dialog assigned to that operator, flagged monitored, with the text as the
  operator's first message (``OpenMonitored``); the person is mailed (through the outbox)
  a link to the widget on that dialog. Answers ``201 {"dialog", "mail", "expires_at"}``.
- ``POST /api/monitored/link`` ``{"dialog", "link"}``, no session (the widget on the
  customer's site): the link's single-purpose token, exchanged once and before it expires
  for a fresh visitor token of that dialog (``UseMonitoredLink``). Answers
  ``200 {"dialog", "token"}``; an expired (410 ``link_expired``), used (410 ``link_used``)
  or foreign (403 ``forbidden``) link is refused and changes nothing.

Only hashes reach the engine: the link token's and the visitor token's (SHA-256).
"""

from __future__ import annotations

import json
import math
import secrets
from typing import Any

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.json_limits import JsonLimitError
from frontdesk.adapters.mail import MailError
from frontdesk.adapters.mail.message import check_address
from frontdesk.adapters.mail.monitored import build_invitation, link_url
from frontdesk.engine import commands, notices
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error
from frontdesk.web.json_body import check_json_body
from frontdesk.web.transcript_routes import bad_dialog_id
from frontdesk.web.ws_visitor import token_hash

MAX_BODY_BYTES = 8192
NAME_MAX_CHARS = 100
TEXT_MAX_CHARS = 4000
LINK_MAX_CHARS = 256
ANSWER_TIMEOUT_S = 10.0
LINK_REFUSALS = {"forbidden": 403, "link_used": 410, "link_expired": 410, "closed": 410,
                 "unknown_dialog": 404}


def routes(ctx: ServerContext) -> list[BaseRoute]:
    r = MonitoredRoutes(ctx)
    return [
        Route("/api/monitored", r.create, methods=["POST"]),
        Route("/api/monitored/link", r.exchange, methods=["POST"]),
    ]


async def engine_answer(ctx: ServerContext, command: commands.Command) -> notices.Notice:
    """The engine's one answer to ``command`` (Ack or Rejected), on the trio thread."""
    bridge = ctx.require_bridge()
    send, receive = trio.open_memory_channel[notices.Notice](math.inf)

    def answered(notice: notices.Notice) -> None:  # on an engine thread
        bridge.call_soon(lambda: send.send_nowait(notice))

    ctx.engine.submit(command, answered)
    with trio.fail_after(ANSWER_TIMEOUT_S):
        return await receive.receive()


async def json_object(request: Request, expected: str) -> dict[str, Any] | Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return api_error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:  # the widget posts text/plain (no CORS preflight): the body guard's checks here
        check_json_body(body)
        data = json.loads(body or b"{}")
    except JsonLimitError as exc:
        return api_error(400, exc.code, exc.message)
    except (ValueError, UnicodeDecodeError) as exc:
        return api_error(400, "bad_json", f"expected a JSON object {expected}: {exc}")
    if not isinstance(data, dict):
        return api_error(400, "bad_json", f"expected a JSON object {expected}, got "
                         f"{type(data).__name__}")
    return data


def text_field(data: dict[str, Any], key: str, limit: int) -> str | Response:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        got = (f"{len(value)} characters" if isinstance(value, str) and value.strip()
               else "an empty text" if isinstance(value, str) else type(value).__name__)
        return api_error(400, f"bad_{key}", f"{key}: expected a text of 1 to {limit} "
                         f"characters, got {got}")
    return value.strip()


class MonitoredRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    async def create(self, request: Request) -> Response:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None or not auth.has_role(user, "operator"):
            return api_error(401 if user is None else 403, "no_session" if user is None
                             else "forbidden", "expected an operator's session cookie")
        if request.headers.get("origin") is not None and not auth.origin_allowed(
                request.headers.get("origin"), request.headers.get("host"), ()):
            return api_error(403, "forbidden_origin", "expected a request from this site")
        if self.ctx.mail is None:
            return api_error(503, "mail_unavailable", "this server has no mail outbox: the "
                             "person could not be sent the link")
        data = await json_object(request, "{name, email, text}")
        if isinstance(data, Response):
            return data
        name = text_field(data, "name", NAME_MAX_CHARS)
        if isinstance(name, Response):
            return name
        text = text_field(data, "text", TEXT_MAX_CHARS)
        if isinstance(text, Response):
            return text
        try:
            email = check_address(data.get("email"), "email")
        except MailError as exc:
            return api_error(400, "bad_email", str(exc))
        operators = self.ctx.engine.snapshot().get("operators", [])
        if not any(isinstance(o, dict) and o.get("id") == user.login for o in operators):
            return api_error(409, "not_logged_in", f"cannot open a monitored dialog as "
                             f"{user.login}: open the console first (the dialog is yours, so "
                             "you must be logged in to take it)")
        link = secrets.token_urlsafe(32)
        expiry = self.ctx.options.monitored_link_expiry_s
        operator_name = user.name or user.login
        command = commands.OpenMonitored(user.login, operator_name, name, email, text,
                                  token_hash=token_hash(secrets.token_urlsafe(32)),
                                  link_hash=token_hash(link), link_expiry_s=float(expiry),
                                  ref=f"monitored-{secrets.token_hex(4)}")
        answer = await engine_answer(self.ctx, command)
        if not isinstance(answer, notices.Ack) or answer.dialog is None:
            code = answer.code if isinstance(answer, notices.Rejected) else "invalid"
            message = answer.message if isinstance(answer, notices.Rejected) else "not opened"
            return api_error(409 if code == "not_primary" else 400, code, message)
        dialog = answer.dialog
        expires_at = self.ctx.clock.now() + expiry
        base = self.ctx.options.monitored_link_base or (
            self.ctx.options.base_url(self.ctx.port) + "/demo")
        mail = build_invitation(dialog=dialog, person=name, operator=operator_name, text=text,
                                url=link_url(base, dialog, link), expires_at=expires_at)
        try:
            queued = await self.ctx.mail.queue("monitored", dialog, to=email,
                                               subject=mail.subject, text=mail.text,
                                               html=mail.html)
        except MailError as exc:
            return api_error(503, "mail_failed", f"dialog {dialog} is open, but its link "
                             f"could not be queued: {exc}")
        return JSONResponse({"dialog": dialog, "mail": queued.id, "to": email,
                             "expires_at": expires_at}, 201)

    async def exchange(self, request: Request) -> Response:
        answer = await self._exchange(request)
        origin = request.headers.get("origin")
        if origin is not None and auth.origin_allowed(origin, request.headers.get("host"),
                                                      self.ctx.options.allowed_origins):
            answer.headers["access-control-allow-origin"] = origin
            answer.headers["vary"] = "Origin"
        answer.headers["cache-control"] = "no-store"
        return answer

    async def _exchange(self, request: Request) -> Response:
        if request.headers.get("origin") is not None and not auth.origin_allowed(
                request.headers.get("origin"), request.headers.get("host"),
                self.ctx.options.allowed_origins):
            return api_error(403, "forbidden_origin", "expected a request from this site")
        data = await json_object(request, "{dialog, link}")
        if isinstance(data, Response):
            return data
        dialog, link = data.get("dialog"), data.get("link")
        if not isinstance(dialog, str):
            return api_error(400, "bad_dialog", f"dialog: expected a dialog id like d-17, "
                             f"got {type(dialog).__name__}")
        if (bad := bad_dialog_id(dialog)) is not None:
            return bad
        if not isinstance(link, str) or not link or len(link) > LINK_MAX_CHARS:
            return api_error(400, "bad_link", "link: expected the token of the mailed link")
        token = secrets.token_urlsafe(32)
        command = commands.UseMonitoredLink(dialog, token_hash(link), token_hash(token),
                                     ref=f"link-{secrets.token_hex(4)}")
        answer = await engine_answer(self.ctx, command)
        if isinstance(answer, notices.Rejected):
            return api_error(LINK_REFUSALS.get(answer.code, 409), answer.code, answer.message)
        return JSONResponse({"dialog": dialog, "token": token})
