"""Availability and offline messages (``docs/protocol.md``, "Availability" and "Offline
messages").

- ``GET /api/availability``: open now? (the opening hours and an operator taking dialogs),
  and the next opening when the hours know it. Public, like ``/api/config``.
- ``POST /api/offline`` ``{name, email, message}``: a visitor's offline message, stored,
  mailed to ``[offline] notify_address`` through the mail outbox; at most
  ``per_address_per_hour`` per visitor IP address. The widget posts it as ``text/plain``
  (no CORS preflight), from this site or an allowed origin.
- ``GET /api/offline/messages`` (manager): the messages, unhandled first.
- ``POST /api/offline/messages/{id}/handled`` (manager): marks one handled.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.json_limits import JsonLimitError
from frontdesk.adapters.mail import MailError
from frontdesk.adapters.offline import OfflineDraft, OfflineError, OfflineMessage, mail_of
from frontdesk.web import auth
from frontdesk.web.availability import availability
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error
from frontdesk.web.json_body import check_json_body
from frontdesk.web.ratelimit import WindowCounter

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16384
WINDOW_S = 3600.0
# /api/availability is public and reads the engine's snapshot (every operator and dialog):
# one answer serves every widget for this long, so page loads cannot make the engine work
AVAILABILITY_CACHE_S = 1.0


def routes(ctx: ServerContext) -> list[BaseRoute]:
    o = OfflineRoutes(ctx)
    return [
        Route("/api/availability", o.availability),
        Route("/api/offline", o.leave, methods=["POST"]),
        Route("/api/offline/messages", o.listed),
        Route("/api/offline/messages/{id}/handled", o.handled, methods=["POST"]),
    ]


class OfflineRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.window = WindowCounter(ctx.options.offline_per_address_per_hour, WINDOW_S,
                                    ctx.clock.now)
        self._answer: tuple[float, dict[str, Any]] | None = None  # (when, body)

    async def availability(self, request: Request) -> Response:
        now = self.ctx.clock.now()
        if self._answer is None or not 0 <= now - self._answer[0] < AVAILABILITY_CACHE_S:
            operators = self.ctx.engine.snapshot()["operators"] if self.ctx.node.ready else []
            options = self.ctx.options
            body = availability(options.opening_hours, operators, now,
                                need_operator=options.offline_when_no_operator)
            self._answer = (now, body)
        return JSONResponse(self._answer[1], headers={"cache-control": "no-store"})

    def _origin_ok(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        return origin is None or auth.origin_allowed(origin, request.headers.get("host"),
                                                     self.ctx.options.allowed_origins)

    async def leave(self, request: Request) -> Response:
        answer = await self._leave(request)
        origin = request.headers.get("origin")
        if origin is not None and self._origin_ok(request):  # the widget on a customer's site
            answer.headers["access-control-allow-origin"] = origin
            answer.headers["vary"] = "Origin"
        return answer

    async def _leave(self, request: Request) -> Response:
        store = self.ctx.offline
        if store is None:
            return api_error(503, "offline_unavailable", "this server takes no offline messages")
        if not self._origin_ok(request):
            return api_error(403, "forbidden_origin", "expected a request from this site or "
                             f"server.allowed_origins, got {request.headers.get('origin')!r}")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return api_error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
        try:
            check_json_body(body)
            draft = OfflineDraft.from_json(json.loads(body or b"null"))
        except JsonLimitError as exc:
            return api_error(400, exc.code, exc.message)
        except OfflineError as exc:
            return _refused(exc)
        except (ValueError, UnicodeDecodeError) as exc:
            return api_error(400, "bad_json", f"expected a JSON object {{name, email, "
                             f"message}}: {exc}")
        address = request.client.host if request.client else "unknown"
        wait = self.window.retry_after(address)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            return api_error(429, "too_many", f"at most "
                             f"{self.ctx.options.offline_per_address_per_hour} offline messages "
                             f"an hour from one address: try again in {minutes} min",
                             **{"retry-after": str(math.ceil(wait))})
        self.window.record(address)
        try:
            stored = await trio.to_thread.run_sync(store.add, draft)
        except OfflineError as exc:
            log.warning("an offline message was not stored: %s", exc)
            return api_error(503, "offline_failed", "the message could not be stored; "
                             "please try again later")
        mailed = await self._mail(stored)
        return JSONResponse({"id": stored.id, "received": True, "mailed": mailed}, 201)

    async def _mail(self, message: OfflineMessage) -> bool:
        to = self.ctx.options.offline_notify_address
        if not to or self.ctx.mail is None:
            return False
        subject, text, html = mail_of(message)
        try:
            await self.ctx.mail.queue("offline", f"offline-{message.id}", to=to,
                                      subject=subject, text=text, html=html,
                                      reply_to=message.email)
        except MailError as exc:  # stored and listed all the same
            log.warning("offline message %d not queued for mail: %s", message.id, exc)
            return False
        return True

    async def _manager(self, request: Request) -> tuple[Any, Response | None]:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            return None, api_error(401, "no_session", "expected a manager's session cookie "
                                   "(log in first)")
        if not auth.has_role(user, "manager"):
            return None, api_error(403, "wrong_role", "offline messages are for managers")
        if self.ctx.offline is None:
            return None, api_error(503, "offline_unavailable",
                                   "this server takes no offline messages")
        return user, None

    async def listed(self, request: Request) -> Response:
        _, refusal = await self._manager(request)
        if refusal is not None:
            return refusal
        assert self.ctx.offline is not None
        messages = await trio.to_thread.run_sync(self.ctx.offline.listed)
        return JSONResponse({"messages": [m.to_json() for m in messages]},
                            headers={"cache-control": "no-store"})

    async def handled(self, request: Request) -> Response:
        if not self._origin_ok(request):
            return api_error(403, "forbidden_origin", "expected a request from this site")
        user, refusal = await self._manager(request)
        if refusal is not None:
            return refusal
        assert self.ctx.offline is not None
        raw = request.path_params["id"]
        if not (raw.isdigit() and len(raw) <= 12):
            shown = raw if len(raw) <= 20 else raw[:17] + "..."
            return api_error(400, "bad_id", f"expected a message id like 12, got {shown!r}")
        marked = await trio.to_thread.run_sync(self.ctx.offline.mark_handled, int(raw),
                                               user.login)
        if marked is None:
            return api_error(404, "no_message", f"there is no offline message {raw}")
        return JSONResponse({"message": marked.to_json()})


def _refused(exc: OfflineError) -> Response:
    code = f"bad_{exc.field}" if exc.field in ("name", "email", "message") else "bad_json"
    return api_error(400, code, str(exc))
