"""``Probe``: a subscriber that records notices and lets a test wait for them.

A probe keeps everything it received in ``received`` and a cursor: every
expectation looks at the notices after the cursor and moves it past what it
returns, so successive expectations read the stream in order. Waiting is on a
Condition, never a sleep.

A probe of an engine on a manual clock knows when nothing more can come: once
the engine is settled (every message handled) and no time passes, it has
delivered everything it ever will about what happened. An expectation that is
not met then fails at once instead of waiting out its timeout, saying so (and
naming any address held back by ``hold()``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, overload

from frontdesk.engine.directory import Directory
from frontdesk.engine.notices import Notice
from frontdesk.engine.testing.matchers import Match, check, describe, matches, near_misses

N = TypeVar("N", bound=Notice)

_POLL_S = 0.02  # how often a waiting expectation asks whether the engine is settled


class Probe:
    def __init__(
        self,
        name: str = "probe",
        directory: Directory | None = None,
        settled: Callable[[], bool] | None = None,
    ) -> None:
        """``settled``, when given, says whether nothing more can come (the harness
        passes one for its manual clock); without it an expectation waits its
        whole timeout."""
        self.name = name
        self.received: list[Notice] = []
        self._cursor = 0
        self._cond = threading.Condition()
        self._directory = directory
        self._settled = settled
        self._deadlines: list[float] = []

    def __call__(self, notice: Notice) -> None:
        with self._cond:
            self.received.append(notice)
            self._cond.notify_all()

    def __repr__(self) -> str:
        return f"Probe({self.name!r}, {len(self.received)} received)"

    @property
    def unread(self) -> list[Notice]:
        with self._cond:
            return self.received[self._cursor :]

    def of_type(self, kind: type[N]) -> list[N]:
        """Every notice of ``kind`` received so far (read or not)."""
        with self._cond:
            return [x for x in self.received if isinstance(x, kind)]

    # --- waiting -------------------------------------------------------------------

    def _wait(self, ready: Callable[[], bool], timeout: float) -> str | None:
        """Wait (holding the condition) until ``ready()``; None when it is, else why not:
        the timeout passed, or the engine settled with nothing more to come."""
        deadline = time.monotonic() + timeout
        if self._deadlines:
            deadline = min(deadline, self._deadlines[-1])
        # ``ready`` consumes what it finds: once it said yes it is not asked again
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0:
                within = " (the time left in within())" if self._deadlines else ""
                return f"within {timeout} s{within}"
            if self._settled is None:
                self._cond.wait(left)
                continue
            if self._quiet():
                # settled: whatever it will ever send is here; one last look decides
                return None if ready() else "and the engine is settled: nothing more will come"
            self._cond.wait(min(left, _POLL_S))
        return None

    def _quiet(self) -> bool:
        assert self._settled is not None
        self._cond.release()  # the engine may be delivering to this probe right now
        try:
            quiet = self._settled()
        finally:
            self._cond.acquire()
        return quiet

    def _fail(self, what: str, why: str, match: Match | None = None) -> AssertionError:
        unread = self.received[self._cursor :]
        text = f"{self.name}: expected {what} {why}; unread: {[x.to_wire() for x in unread]}"
        if match is not None and (near := near_misses(match, unread)):
            text += "; near misses: " + "; ".join(near)
        if self._directory is not None and (held := self._directory.held()):
            text += f"; held back by hold(): {', '.join(held)}"
        return AssertionError(text)

    # --- expectations --------------------------------------------------------------

    @overload
    def expect(self, match: type[N], timeout: float = 2.0) -> N: ...
    @overload
    def expect(self, match: Match, timeout: float = 2.0) -> Notice: ...
    def expect(self, match: Match, timeout: float = 2.0) -> Notice:
        """Wait for the next notice that matches; skip (consume) the ones before it
        (Akka's ``fishForMessage``; ``expect_next`` is the strict one)."""
        check(match, self.name)
        found: list[Notice] = []

        def ready() -> bool:
            for i in range(self._cursor, len(self.received)):
                if matches(match, self.received[i]):
                    found.append(self.received[i])
                    self._cursor = i + 1
                    return True
            return False

        with self._cond:
            if (why := self._wait(ready, timeout)) is not None:
                raise self._fail(describe(match), why, match)
        return found[0]

    def fish_for(self, predicate: Callable[[Notice], bool], timeout: float = 2.0) -> Notice:
        """Like ``expect`` with a predicate (Akka's name for it)."""
        return self.expect(predicate, timeout)

    @overload
    def expect_next(self, match: type[N], timeout: float = 2.0) -> N: ...
    @overload
    def expect_next(self, match: Match, timeout: float = 2.0) -> Notice: ...
    def expect_next(self, match: Match, timeout: float = 2.0) -> Notice:
        """The very next unread notice matches (Akka's ``expectMsg``): wait for one,
        and fail at once if it is something else."""
        check(match, self.name)
        with self._cond:
            if (why := self._wait(lambda: len(self.received) > self._cursor, timeout)):
                raise self._fail(f"the next notice to be {describe(match)}", why, match)
            notice = self.received[self._cursor]
            if not matches(match, notice):
                raise self._fail(
                    f"the next notice to be {describe(match)}",
                    f"but it is {notice.to_wire()}",
                    match,
                )
            self._cursor += 1
        return notice

    def expect_all(self, *match: Match, timeout: float = 2.0) -> list[Notice]:
        """Each matcher is met by a notice of its own, in any order (Akka's
        ``expectMsgAllOf``, skipping unrelated notices as ``expect`` does); returns
        them in the order they came and consumes up to the last."""
        for one in match:
            check(one, self.name)
        picked: dict[int, int] = {}  # matcher -> index in received

        def ready() -> bool:
            picked.clear()
            for i in range(self._cursor, len(self.received)):
                k = next((k for k in range(len(match)) if k not in picked
                          and matches(match[k], self.received[i])), None)
                if k is not None:
                    picked[k] = i
                    if len(picked) == len(match):
                        return True
            return not match

        with self._cond:
            if (why := self._wait(ready, timeout)) is not None:
                missing = [describe(m) for k, m in enumerate(match) if k not in picked]
                raise self._fail(f"all of {', '.join(missing)} (still missing)", why)
            order = sorted(picked.values())
            if order:
                self._cursor = order[-1] + 1
            return [self.received[i] for i in order]

    def receive_n(self, count: int, timeout: float = 2.0) -> list[Notice]:
        """The next ``count`` notices, whatever they are (Akka's ``receiveN``)."""
        with self._cond:
            if why := self._wait(lambda: len(self.received) - self._cursor >= count, timeout):
                raise self._fail(f"{count} notices", why)
            got = self.received[self._cursor : self._cursor + count]
            self._cursor += count
        return got

    def expect_no(self, match: Match, duration: float = 0.0) -> None:
        """Assert that no unread notice matches, now or within ``duration`` seconds.

        Call it after ``settle()``: once the engine is settled every notice it
        will ever send about what happened is already here, so ``duration=0``
        is enough and no real time has to pass.
        """
        check(match, self.name)

        def bad() -> bool:
            return any(matches(match, x) for x in self.received[self._cursor :])

        with self._cond:
            if self._cond.wait_for(bad, duration) if duration > 0 else bad():
                unread = [x.to_wire() for x in self.received[self._cursor :]]
                raise AssertionError(f"{self.name}: unexpected {describe(match)} in {unread}")

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """The expectations in the block share ``seconds`` of real time (Akka's
        ``within``): each waits at most what is left, and the block fails if it took
        longer. The engine's clock does not move; this bounds how long the engine
        takes to act."""
        start = time.monotonic()
        self._deadlines.append(start + seconds)
        try:
            yield
        finally:
            self._deadlines.pop()
        took = time.monotonic() - start
        if took > seconds:
            raise AssertionError(
                f"{self.name}: the block took {took:.3f} s, over within({seconds})"
            )

    def expect_terminated(self, address: str, timeout: float = 2.0) -> None:
        """Wait until no actor lives at ``address`` (closed, logged out, or given up)."""
        if self._directory is None:
            raise AssertionError(f"{self.name}: this probe is not attached to an engine")
        if not self._directory.wait_gone(address, timeout):
            raise AssertionError(f"{self.name}: {address} still alive after {timeout} s")

    def clear(self) -> None:
        """Mark everything received so far as read."""
        with self._cond:
            self._cursor = len(self.received)
