"""``AsyncProbe``: the harness's ``Probe``, awaited from a trio test.

A ``Probe`` waits on a thread Condition, which would block a trio loop (and
with it the cluster's replication link, so the awaited notice could never
come). ``AsyncProbe`` runs each waiting expectation in a worker thread
(``trio.to_thread``, abandoned on cancellation: the thread ends at its own
timeout), so the failure messages — unread notices, near misses, "the engine
is settled: nothing more will come" — are the ``Probe``'s, word for word.
"""

from __future__ import annotations

from functools import partial
from typing import TypeVar, overload

import trio

from frontdesk.engine.notices import Notice
from frontdesk.engine.testing import Probe
from frontdesk.engine.testing.matchers import Match

N = TypeVar("N", bound=Notice)


class AsyncProbe:
    """Every expectation of ``Probe`` (docs/harness.md, "Probes"), awaited."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe  # the subscriber the engine calls

    def __repr__(self) -> str:
        return f"AsyncProbe({self.probe.name!r}, {len(self.probe.received)} received)"

    @property
    def name(self) -> str:
        return self.probe.name

    @property
    def received(self) -> list[Notice]:
        return self.probe.received

    @property
    def unread(self) -> list[Notice]:
        return self.probe.unread

    def of_type(self, kind: type[N]) -> list[N]:
        return self.probe.of_type(kind)

    def clear(self) -> None:
        self.probe.clear()

    @overload
    async def expect(self, match: type[N], timeout: float = 2.0) -> N: ...
    @overload
    async def expect(self, match: Match, timeout: float = 2.0) -> Notice: ...
    async def expect(self, match: Match, timeout: float = 2.0) -> Notice:
        """The next notice that matches; the ones before it are skipped."""
        return await _off_loop(partial(self.probe.expect, match, timeout))

    @overload
    async def expect_next(self, match: type[N], timeout: float = 2.0) -> N: ...
    @overload
    async def expect_next(self, match: Match, timeout: float = 2.0) -> Notice: ...
    async def expect_next(self, match: Match, timeout: float = 2.0) -> Notice:
        """The very next unread notice matches; anything else there fails at once."""
        return await _off_loop(partial(self.probe.expect_next, match, timeout))

    async def expect_all(self, *match: Match, timeout: float = 2.0) -> list[Notice]:
        """Each matcher met by a notice of its own, in any order."""
        return await _off_loop(partial(self.probe.expect_all, *match, timeout=timeout))

    async def receive_n(self, count: int, timeout: float = 2.0) -> list[Notice]:
        """The next ``count`` notices, whatever they are."""
        return await _off_loop(partial(self.probe.receive_n, count, timeout))

    def expect_no(self, match: Match) -> None:
        """No unread notice matches (call it once the node is settled: nothing waits)."""
        self.probe.expect_no(match)


R = TypeVar("R")


async def _off_loop(fn: partial[R]) -> R:
    return await trio.to_thread.run_sync(fn, abandon_on_cancel=True)
