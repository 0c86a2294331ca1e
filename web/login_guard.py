"""Every password check of the web layer: throttled, and bounded in concurrent hashes.

``LoginGuard.check`` is what ``POST /api/login`` and HTTP Basic (``/api/inspect``) call:

1. the throttle (``frontdesk.web.login_throttle``) is asked first: a locked account or address is
   refused with ``429`` and ``Retry-After`` before any hashing, whether or not the
   account exists;
2. the password is checked in a worker thread by the accounts store, which runs at most
   ``login.max_concurrent_hashes`` argon2 computations at once (``HashingBusyError`` after
   ``login.hash_wait_s``): that is refused with ``503`` and ``Retry-After``, and not
   counted as a failure; so is an accounts database that cannot be read now (``503
   unavailable``: PostgreSQL restarting);
3. a wrong password (of a real or an unknown account: both cost one argon2 verify) is
   counted under the login and the address; a right one clears the login's count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import trio

from frontdesk.adapters.account_models import AccountError, HashingBusyError
from frontdesk.web.auth import AccountsPort, User, basic_credentials
from frontdesk.web.login_throttle import LoginThrottle, ThrottleLimits

BUSY_RETRY_AFTER_S = 1


@dataclass(frozen=True)
class LoginRefused:
    """A login not even checked: ``status`` 429 (throttled) or 503 (hashing busy, the
    accounts database unavailable)."""

    status: int
    code: str
    message: str
    retry_after_s: int

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class LoginGuard:
    def __init__(
        self, limits: ThrottleLimits | None = None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.throttle = LoginThrottle(limits, now)

    async def check(
        self, accounts: AccountsPort, login: str, password: str, address: str
    ) -> User | LoginRefused | None:
        """The user; None for a wrong login or password; or why it was not checked."""
        throttled = self.throttle.check(login, address)
        if throttled is not None:
            kind = throttled.key.partition(":")[0]
            return LoginRefused(
                429, "too_many_attempts",
                f"too many failed logins for this {kind}: expected at most "
                f"{self._limit(kind)} in {self.throttle.limits.window_s:g} s; "
                f"retry in {throttled.retry_after_s} s",
                throttled.retry_after_s,
            )
        try:
            user: User | None = await trio.to_thread.run_sync(accounts.verify, login, password)
        except HashingBusyError as exc:
            return LoginRefused(503, "busy", f"{exc}; retry in {BUSY_RETRY_AFTER_S} s",
                                BUSY_RETRY_AFTER_S)
        except AccountError as exc:  # the accounts' database cannot be read now
            return LoginRefused(503, "unavailable", f"cannot check the login now: {exc}; "
                                f"retry in {BUSY_RETRY_AFTER_S} s", BUSY_RETRY_AFTER_S)
        if user is None:
            self.throttle.failed(login, address)
        else:
            self.throttle.succeeded(login)
        return user

    async def check_basic(
        self, accounts: AccountsPort, header: str | None, address: str
    ) -> User | LoginRefused | None:
        """``check`` for an ``Authorization: Basic`` header (None: no or a malformed one)."""
        credentials = basic_credentials(header)
        if credentials is None:
            return None
        return await self.check(accounts, *credentials, address)

    def _limit(self, kind: str) -> int:
        limits = self.throttle.limits
        return limits.failures_per_account if kind == "account" else limits.failures_per_address
