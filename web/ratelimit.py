"""A token bucket per connection: ``rate_per_s`` frames a second, ``burst`` at once; and a
sliding window per key (``WindowCounter``: an offline message per visitor IP address)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class TokenBucket:
    """``take()`` spends one token if there is one; tokens refill continuously.

    ``now`` is injectable (monotonic seconds) so the bucket is tested without waiting.
    """

    def __init__(
        self, rate_per_s: float, burst: int, now: Callable[[], float] = time.monotonic
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError(
                f"a token bucket needs rate_per_s > 0 and burst >= 1, got {rate_per_s}, {burst}"
            )
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._now = now
        self._tokens = float(burst)
        self._last = now()

    def take(self) -> bool:
        now = self._now()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate_per_s)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class WindowCounter:
    """At most ``limit`` events per key within ``window_s``; ``now`` injectable (seconds).

    Keys are forgotten once their window is empty; at most ``max_keys`` are tracked (the
    oldest key goes first), so a flood of addresses cannot grow it without bound."""

    def __init__(self, limit: int, window_s: float, now: Callable[[], float] = time.monotonic,
                 *, max_keys: int = 10_000) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._now = now
        self._events: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float:
        """0 when ``key`` may have one more event now, else the seconds until it may."""
        now = self._now()
        events = self._events.get(key)
        if events is None:
            return 0.0
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if not events:
            del self._events[key]
            return 0.0
        if len(events) < self.limit:
            return 0.0
        return max(0.0, events[0] + self.window_s - now)

    def record(self, key: str) -> None:
        if key not in self._events and len(self._events) >= self.max_keys:
            del self._events[next(iter(self._events))]
        self._events.setdefault(key, deque()).append(self._now())
