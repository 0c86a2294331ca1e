"""``GET /api/audit?since=&until=`` (managers only): the step-ins journaled in that time, newest
first, as JSON (``frontdesk.engine.audit``), from the engine's read model (the records
appended since the last question folded on a worker thread, ``frontdesk.engine.journal_views``).

``since`` and ``until`` are optional Unix times in seconds (``since <= at < until``); a bad one
is refused 400 naming the parameter, what was expected and what came.
"""

from __future__ import annotations

import math

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error

MAX_SHOWN = 40  # characters of a bad value quoted back


def routes(ctx: ServerContext) -> list[BaseRoute]:
    async def audit(request: Request) -> Response:
        user = await auth.session_user(ctx.accounts, request.cookies)
        if user is None:
            return api_error(401, "no_session", "expected a manager's session, got none")
        if not auth.has_role(user, "manager"):
            return api_error(403, "forbidden",
                             f"expected a manager's session, got an {user.role}'s")
        bounds: dict[str, float | None] = {}
        for name in ("since", "until"):
            raw = request.query_params.get(name)
            bounds[name] = None
            if raw is None or raw == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                return api_error(400, "bad_query", f"{name}: expected a Unix time in seconds,"
                                 f" got {raw[:MAX_SHOWN]!r}")
            bounds[name] = value
        since, until = bounds["since"], bounds["until"]
        if since is not None and until is not None and until < since:
            return api_error(400, "bad_query",
                             f"until: expected a time after since ({since:g}), got {until:g}")
        if not ctx.node.ready:
            return api_error(503, "unavailable", f"this node is {ctx.node.role}, not serving")
        entries = await trio.to_thread.run_sync(ctx.engine.audit, since, until,
                                                limiter=ctx.views_limiter)
        return JSONResponse({"since": since, "until": until, "entries": entries})

    return [Route("/api/audit", audit)]
