"""Time, injectable: every timed behaviour of the engine goes through a ``Clock``.

Timers only *tell* actors; a timer callback must never block, because the
``ManualClock`` runs callbacks in the thread that advances it and the
``SystemClock`` runs them on its one scheduler thread.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock seconds since the epoch (what timestamps and waiting times use)."""
        ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` once, ``delay`` seconds from now; it must not block."""
        ...


class _Timer:
    __slots__ = ("callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callable[[], None]) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _TimerHeap:
    """Timers ordered by due time, then by creation (so equal times fire in order)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Timer]] = []
        self._counter = itertools.count()

    def push(self, timer: _Timer) -> None:
        heapq.heappush(self._heap, (timer.due, next(self._counter), timer))

    def pop_due(self, now: float) -> _Timer | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)[2]
        return None

    def next_due(self) -> float | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None


class ManualClock:
    """A clock that moves only when told to; for tests and the harness."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._timers = _TimerHeap()
        self._lock = threading.RLock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        with self._lock:
            timer = _Timer(self._now + max(0.0, delay), callback)
            self._timers.push(timer)
            return timer

    def advance(self, seconds: float) -> None:
        """Move time forward, firing each due timer at its own due time, in order."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards: advance({seconds})")
        with self._lock:
            target = self._now + seconds
        while True:
            with self._lock:
                timer = self._timers.pop_due(target)
                if timer is None:
                    self._now = target
                    return
                self._now = max(self._now, timer.due)
            timer.callback()

    def pending(self) -> int:
        """How many timers are still waiting (cancelled ones excluded)."""
        with self._lock:
            return sum(1 for _, _, t in self._timers._heap if not t.cancelled)


class SystemClock:
    """Real time, with one daemon scheduler thread for all timers."""

    def __init__(self) -> None:
        self._timers = _TimerHeap()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def now(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _Timer(time.monotonic() + max(0.0, delay), callback)
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="frontdesk-clock", daemon=True
                )
                self._thread.start()
            self._timers.push(timer)
            self._cond.notify()
        return timer

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopped:
                    return
                timer = self._timers.pop_due(time.monotonic())
                if timer is None:
                    due = self._timers.next_due()
                    wait = None if due is None else max(0.0, due - time.monotonic())
                    self._cond.wait(wait)
                    continue
            timer.callback()
