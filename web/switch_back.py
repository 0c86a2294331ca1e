"""Who may switch the chat back to the main node after a failover, and how often.

The console's banner offers the switch back (issue 13, finding 8) to whoever may
do it: a manager always; an operator when ``cluster.operators_may_switch_back``
says so. The request is ``POST /api/cluster/switchover`` on the node that is
primary now, authenticated by the user's session cookie (an operator never gets
HTTP Basic), and throttled per user: a second press within
``SwitchBackPolicy.min_interval_s`` is answered 429 without asking the cluster
again. ``GET /api/cluster/switch-back`` tells the console (on its own node)
whether its user may, so that the button shows only to those.

The policy is plain data and a plain function, and the throttle takes the time as
an argument, so both can be checked without a server; ``tests/failover/
test_failback.py`` drives them end to end (console, real cluster).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from frontdesk.web import auth
from frontdesk.web.auth import User
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error

MIN_INTERVAL_S = 10.0  # one switch back per user in this time
MAX_TRACKED = 10_000  # users remembered by the throttle (oldest forgotten first)


@dataclass(frozen=True)
class SwitchBackPolicy:
    """``cluster.operators_may_switch_back`` and the per-user interval."""

    operators_may: bool = False
    min_interval_s: float = MIN_INTERVAL_S

    def allows(self, user: User | None) -> tuple[bool, str]:
        """``(allowed, why)`` for a user of a session (None: no session)."""
        if user is None:
            return False, "a session is required: log in first"
        if auth.has_role(user, "manager"):
            return True, "managers may switch back"
        if auth.has_role(user, "operator") and self.operators_may:
            return True, "operators may switch back (cluster.operators_may_switch_back)"
        return False, (
            f"this {user.role} account may not switch back: only a manager may "
            "(cluster.operators_may_switch_back is false)"
        )


@dataclass
class SwitchBackThrottle:
    """At most one switch back per user per ``min_interval_s``; thread-safe."""

    min_interval_s: float = MIN_INTERVAL_S
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, login: str, now: float) -> float:
        """0 and the press counted when ``login`` may go now; else the seconds left."""
        with self._lock:
            last = self._last.get(login)
            if last is not None and now - last < self.min_interval_s:
                return self.min_interval_s - (now - last)
            self._last.pop(login, None)
            self._last[login] = now
            while len(self._last) > MAX_TRACKED:
                self._last.pop(next(iter(self._last)))
            return 0.0


def cors_headers(request: Request) -> dict[str, str]:
    """Let the page of the other node (an allowed origin) read the answer, cookie and all."""
    origin = request.headers.get("origin")
    if origin is None:
        return {}
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin == own:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def refusal(status: int, code: str, message: str, headers: dict[str, str]) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


async def session_switch_back(
    ctx: ServerContext,
    request: Request,
    policy: SwitchBackPolicy,
    throttle: SwitchBackThrottle,
    now: Callable[[], float],
) -> tuple[User | None, Response | None]:
    """The session's user when it may switch back now; else a refusal (or (None, None):
    no session at all, so the caller may try a manager's HTTP Basic credentials)."""
    user = await auth.session_user(ctx.accounts, request.cookies)
    if user is None:
        return None, None
    headers = cors_headers(request)
    allowed, why = policy.allows(user)
    if not allowed:
        return None, refusal(403, "forbidden", why, headers)
    wait = throttle.wait_s(user.login, now())
    if wait > 0:
        return None, refusal(
            429, "too_many_attempts",
            f"one switch back per {policy.min_interval_s:g} s: try again in {math.ceil(wait)} s",
            {**headers, "Retry-After": str(math.ceil(wait))},
        )
    return user, None


def may_switch_back_route(
    ctx: ServerContext, policy: SwitchBackPolicy
) -> Callable[[Request], Any]:
    """``GET /api/cluster/switch-back``: ``{"allowed", "why"}`` for the session's user."""

    async def may_switch_back(request: Request) -> Response:
        user = await auth.session_user(ctx.accounts, request.cookies)
        if user is None:
            return api_error(401, "no_session", "expected a staff session, got none")
        allowed, why = policy.allows(user)
        return JSONResponse({"allowed": allowed, "why": why})

    return may_switch_back
