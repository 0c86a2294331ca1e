"""Failed logins counted per account and per address, in a sliding window. No I/O.

Theory of operation: every wrong password is remembered, with its time, under two
keys: the login tried (``account:<login>``, whether or not such an account exists, so
a refusal never tells an account exists) and the client's address (``address:<ip>``).
A key that holds ``limit`` failures younger than ``window_s`` is refused until its
oldest failure leaves the window: ``retry_after`` says how long, in whole seconds,
for a ``Retry-After`` header. A refused attempt is answered without hashing and is
not counted (a locked key stays locked no longer than the window). A correct password
clears its account's failures; the address keeps its own, so one good account does not
reopen an address that guesses at others.

The table is bounded (``max_tracked`` keys, least recently failed first out), so a
flood of made-up logins costs memory of at most ``max_tracked x limit`` floats.

Time comes from ``now`` (monotonic seconds), injectable so tests drive it by hand.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleLimits:
    failures_per_account: int = 5
    failures_per_address: int = 20
    window_s: float = 300.0
    max_tracked: int = 10_000

    def __post_init__(self) -> None:
        if self.failures_per_account < 1 or self.failures_per_address < 1:
            raise ValueError(
                "login throttle: expected at least 1 failure per account and per address, got "
                f"{self.failures_per_account} and {self.failures_per_address}"
            )
        if self.window_s <= 0 or self.max_tracked < 1:
            raise ValueError(
                f"login throttle: expected window_s > 0 and max_tracked >= 1, got "
                f"{self.window_s} and {self.max_tracked}"
            )


@dataclass(frozen=True)
class Throttled:
    """A refused attempt: which key is locked and for how many more seconds."""

    key: str
    retry_after_s: int


class LoginThrottle:
    """Sliding-window failure counts; not thread-safe (the trio thread owns it)."""

    def __init__(
        self, limits: ThrottleLimits | None = None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or ThrottleLimits()
        self._now = now
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, login: str, address: str) -> Throttled | None:
        """None if this attempt may go on to the password check, else why not."""
        now = self._now()
        for key, limit in self._keys(login, address):
            times = self._live(key, now)
            if times is not None and len(times) >= limit:
                wait = times[0] + self.limits.window_s - now
                return Throttled(key, max(1, math.ceil(wait)))
        return None

    def failed(self, login: str, address: str) -> None:
        now = self._now()
        for key, limit in self._keys(login, address):
            times = self._live(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=limit)
            times.append(now)
            self._failures.move_to_end(key)
        while len(self._failures) > self.limits.max_tracked:
            self._failures.popitem(last=False)

    def succeeded(self, login: str) -> None:
        self._failures.pop(_account_key(login), None)

    def tracked(self) -> int:
        return len(self._failures)

    def _keys(self, login: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
        return ((_account_key(login), self.limits.failures_per_account),
                (f"address:{address}", self.limits.failures_per_address))

    def _live(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] + self.limits.window_s <= now:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times


def _account_key(login: str) -> str:
    return "account:" + login.strip().lower()
