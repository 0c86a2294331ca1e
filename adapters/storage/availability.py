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
— whenever an attempt is due; the node is ready again by itself. It also
probes a journal nothing wrote to for ``CHECK_EVERY_S``, so an idle node
notices its database going away without waiting for a visitor to find out.

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

from frontdesk.engine.errors import JournalUnavailable

log = logging.getLogger("frontdesk.storage")

FIRST_DELAY_S = 0.1
"""The wait after the first failed write of an outage."""
MAX_DELAY_S = 2.0
"""The longest wait between two attempts: the bound on resuming once the database is back."""
CHECK_EVERY_S = 5.0
"""An idle journal (no write for this long) is probed, so that readiness stays true."""


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
        self._last_success = clock()
        self._watchers: list[Callable[[bool], None]] = []
        self.failures_total = 0  # failed attempts, all outages together
        self.refused_total = 0  # writes refused without an attempt

    def watch(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(writable)`` at each start (False) and end (True) of an outage,
        on the thread that saw it; it must not block (a trio task: ``run_sync_soon``)."""
        self._watchers.append(callback)

    def unwatch(self, callback: Callable[[bool], None]) -> None:
        self._watchers.remove(callback)

    def _tell(self, writable: bool) -> None:
        for callback in list(self._watchers):
            callback(writable)

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
        if old is None:
            self._tell(False)

    def succeeded(self) -> None:
        """A write succeeded: the outage, if any, is over."""
        with self._lock:
            old, self._outage = self._outage, None
            now = self._last_success = self._clock()
        if old is not None:
            log.warning("the journal %s can be written again, after %.1f s and %d failed "
                        "attempts", self.where, now - old.since, old.failures)
            self._tell(True)

    def reason(self) -> str | None:
        """Why the journal is not writable, for ``/healthz``; None when it is."""
        outage = self._outage
        if outage is None:
            return None
        down = self._clock() - outage.since
        return (f"the journal {self.where} cannot be written since {down:.1f} s "
                f"({outage.failures} failed attempts): {outage.reason}")

    def next_probe_in(self, idle_s: float) -> float:
        """Seconds until a probe is due: the next attempt of an outage, else ``idle_s``
        after the last write that succeeded (0: due now)."""
        outage = self._outage
        at = outage.retry_at if outage is not None else self._last_success + idle_s
        return max(0.0, at - self._clock())


class Probed(Protocol):
    """What ``keep_writable`` needs of a journal: ``SqlJournal``."""

    @property
    def availability(self) -> Availability: ...
    def probe(self) -> bool: ...


async def keep_writable(journal: Probed, stop: trio.Event,
                        check_every_s: float = CHECK_EVERY_S) -> None:
    """Until ``stop`` is set, probe the journal (in a worker thread: it may wait for a
    connection) whenever an attempt is due in an outage, and when no write succeeded
    for ``check_every_s`` (so an idle node learns that its database went away)."""
    while not stop.is_set():
        wait = journal.availability.next_probe_in(check_every_s)
        if wait > 0:
            with trio.move_on_after(wait):
                await stop.wait()
            continue
        await trio.to_thread.run_sync(journal.probe, abandon_on_cancel=True)


class JournalWritable:
    """The readiness condition ``journal_writable`` (``frontdesk.web.readiness.Condition``)."""

    name = "journal_writable"

    def __init__(self, availability: Availability) -> None:
        self.availability = availability

    def failing(self) -> str | None:
        return self.availability.reason()

    def metrics(self) -> list[str]:
        a = self.availability
        return [
            "# HELP frontdesk_journal_write_failures_total Journal writes that failed "
            "for the database's sake.",
            "# TYPE frontdesk_journal_write_failures_total counter",
            f"frontdesk_journal_write_failures_total {a.failures_total}",
            "# HELP frontdesk_journal_writes_refused_total Journal writes refused without "
            "an attempt during an outage.",
            "# TYPE frontdesk_journal_writes_refused_total counter",
            f"frontdesk_journal_writes_refused_total {a.refused_total}",
        ]
