"""``Probe``: a subscriber that records notices and lets a test wait for them.

A probe keeps everything it received in ``received`` and a cursor: ``expect``
and ``fish_for`` look at the notices after the cursor and move it past the
one they return, so successive expectations read the stream in order.
Waiting is on a Condition, never a sleep.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from engine.directory import Directory
from engine.notices import Notice

N = TypeVar("N", bound=Notice)
Match = type[Notice] | tuple[type[Notice], ...] | Callable[[Notice], bool] | Mapping[str, Any]


def matches(match: Match, notice: Notice) -> bool:
    """``match`` is a notice type (or a tuple of them), a predicate, or a dict of fields."""
    if isinstance(match, type | tuple):
        return isinstance(notice, match)
    if isinstance(match, Mapping):
        wire = notice.to_wire()
        return all(k in wire and wire[k] == v for k, v in match.items())
    return bool(match(notice))


def _describe(match: Match) -> str:
    if isinstance(match, type):
        return match.__name__
    if isinstance(match, tuple):
        return " or ".join(t.__name__ for t in match)
    if isinstance(match, Mapping):
        return repr(dict(match))
    return getattr(match, "__name__", repr(match))


class Probe:
    def __init__(self, name: str = "probe", directory: Directory | None = None) -> None:
        self.name = name
        self.received: list[Notice] = []
        self._cursor = 0
        self._cond = threading.Condition()
        self._directory = directory

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

    def expect(self, match: Match, timeout: float = 2.0) -> Notice:
        """Wait for the next notice that matches; skip (consume) the ones before it."""
        found: list[Notice] = []

        def ready() -> bool:
            for i in range(self._cursor, len(self.received)):
                if matches(match, self.received[i]):
                    found.append(self.received[i])
                    self._cursor = i + 1
                    return True
            return False

        with self._cond:
            if not self._cond.wait_for(ready, timeout):
                unread = [x.to_wire() for x in self.received[self._cursor :]]
                raise AssertionError(
                    f"{self.name}: expected {_describe(match)} within {timeout} s; unread: {unread}"
                )
        return found[0]

    def fish_for(self, predicate: Callable[[Notice], bool], timeout: float = 2.0) -> Notice:
        """Like ``expect`` with a predicate (Akka's name for it)."""
        return self.expect(predicate, timeout)

    def expect_no(self, match: Match, duration: float = 0.0) -> None:
        """Assert that no unread notice matches, now or within ``duration`` seconds.

        Call it after ``settle()``: once the engine is settled every notice it
        will ever send about what happened is already here, so ``duration=0``
        is enough and no real time has to pass.
        """

        def bad() -> bool:
            return any(matches(match, x) for x in self.received[self._cursor :])

        with self._cond:
            if self._cond.wait_for(bad, duration) if duration > 0 else bad():
                unread = [x.to_wire() for x in self.received[self._cursor :]]
                raise AssertionError(f"{self.name}: unexpected {_describe(match)} in {unread}")

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
