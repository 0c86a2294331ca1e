"""Whether the journal can be written now, and when to try again.

Theory of operation
-------------------
A journal write that fails for the database's sake (PostgreSQL restarting, the
network cut, an SQLite file on a full disk) puts the journal in an *outage*.
During an outage every write is refused at once with ``JournalUnavailable``
(a ``JournalError``: the store answers the commands ``unavailable``, a code the
clients retry) until the next attempt is due; then one write goes to the
database again. Each failed attempt doubles the wait, from ``FIRST_DELAY_S``
up to ``MAX_DELAY_S``: 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, ... seconds. So a
database that is back is written again within ``MAX_DELAY_S`` of its return
(plus the time the attempt itself takes: a connection, ``connect_timeout`` at
most), and a database that stays away sees one attempt per ``MAX_DELAY_S``.

The first write that succeeds ends the outage. Traffic alone may never bring
that write (a load balancer stops sending it to a node that says it is not
ready), so ``keep_writable`` probes the journal — a write that changes nothing
— whenever an attempt is due; the node is ready again by itself.

Nothing is acknowledged that is not durable: a refused write was never sent,
a failed one was rolled back or never committed (a commit whose answer was
lost may have landed: the journal reloads its tail, and the events are there
when the actors are rebuilt from it).

The state is read by ``/healthz`` and ``/metrics`` on the trio thread and
changed by the store's thread, under a lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import trio

from engine.errors import JournalUnavailable

log = logging.getLogger("frontdesk.storage")

FIRST_DELAY_S = 0.1
"""The wait after the first failed write of an outage."""
MAX_DELAY_S = 2.0
"""The longest wait between two attempts: the bound on resuming once the database is back."""


@dataclass(frozen=True)
class Outage:
    since: float  # the clock's time of the first failure
    reason: str  # the last failure, one line
    failures: int  # failed attempts so far
    delay: float  # the current wait between attempts
    retry_at: float  # when the next attempt is due


class Availability:
    """The outage state of one journal (see the module docstring). Thread-safe."""

    def __init__(self, where: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.where = where
        self._clock = clock
        self._lock = threading.Lock()
        self._outage: Outage | None = None
        self.failures_total = 0  # failed attempts, all outages together
        self.refused_total = 0  # writes refused without an attempt

    @property
    def writable(self) -> bool:
        return self._outage is None

    @property
    def outage(self) -> Outage | None:
        return self._outage

    def check(self, operation: str) -> None:
        """Raise ``JournalUnavailable`` if an outage is on and the next attempt is not due."""
        with self._lock:
            outage = self._outage
            if outage is None:
                return
            now = self._clock()
            if now >= outage.retry_at:
                return  # this write is the attempt
            self.refused_total += 1
        raise JournalUnavailable(
            f"cannot {operation}: the journal {self.where} cannot be written "
            f"({outage.reason}); the next attempt is in {outage.retry_at - now:.1f} s"
        )

    def failed(self, reason: str) -> None:
        """A write attempt failed for the database's sake: start or extend the outage."""
        with self._lock:
            now = self._clock()
            self.failures_total += 1
            old = self._outage
            if old is None:
                log.warning("the journal %s cannot be written: %s; writes are refused "
                            "(retryable) and retried every %g-%g s", self.where, reason,
                            FIRST_DELAY_S, MAX_DELAY_S)
                self._outage = Outage(now, reason, 1, FIRST_DELAY_S, now + FIRST_DELAY_S)
            else:
                delay = min(MAX_DELAY_S, old.delay * 2)
                self._outage = Outage(old.since, reason, old.failures + 1, delay, now + delay)

    def succeeded(self) -> None:
        """A write succeeded: the outage, if any, is over."""
        with self._lock:
            old, self._outage = self._outage, None
            now = self._clock()
        if old is not None:
            log.warning("the journal %s can be written again, after %.1f s and %d failed "
                        "attempts", self.where, now - old.since, old.failures)

    def reason(self) -> str | None:
        """Why the journal is not writable, for ``/healthz``; None when it is."""
        outage = self._outage
        if outage is None:
            return None
        down = self._clock() - outage.since
        return (f"the journal {self.where} cannot be written since {down:.1f} s "
                f"({outage.failures} failed attempts): {outage.reason}")

    def due_in(self) -> float | None:
        """Seconds until the next attempt (0 if due); None when the journal is writable."""
        outage = self._outage
        if outage is None:
            return None
        return max(0.0, outage.retry_at - self._clock())


class Probed(Protocol):
    """What ``keep_writable`` needs of a journal: ``SqlJournal``."""

    @property
    def availability(self) -> Availability: ...
    def probe(self) -> bool: ...


async def keep_writable(journal: Probed, idle_s: float = FIRST_DELAY_S) -> None:
    """Run for ever: whenever the journal is in an outage and an attempt is due, probe it.

    Checks the state every ``idle_s`` while the journal is writable (a lock-free
    read); the probe itself runs in a worker thread (it may wait for a connection).
    """
    while True:
        due = journal.availability.due_in()
        if due is None:
            await trio.sleep(idle_s)
            continue
        if due > 0:
            await trio.sleep(due)
            continue
        await trio.to_thread.run_sync(journal.probe, abandon_on_cancel=True)
