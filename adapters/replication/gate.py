"""The write gate: what the engine's store waits on before an effect leaves the node.

Theory of operation
-------------------
The store actor appends through ``GatedJournal`` (a ``Journal`` wrapper), on
its own thread. An append:

1. is refused with ``StaleEpoch`` unless this node is primary and its lease is
   valid now (monotonic time; the lease is counted from when the renewal was
   *sent*, so it ends before the witness's view of it does). A lease that has
   just lapsed while its renewal is on the way is waited for, at most
   ``lapse_grace_s`` (real time): the append goes on if the renewal is confirmed
   (``extend``), and is refused once the node fences itself or the grace is over.
   A refused append calls ``on_refused`` (the engine that got it is fenced for
   good: the node must step down and start a new one, not claim it still writes);
2. is written to the local journal (durable on return);
3. wakes the replication sender (``on_appended``, called from the store thread);
4. in ``sync`` mode, waits (``ReplicationGate.wait_durable``) until the backup
   has acknowledged the records — or until the witness has been told that the
   backup is *not* in sync, after which no promotion can lose what this node
   acknowledges (the witness refuses to promote a standby that is not in sync);
5. returns, and only then does the store perform the effects (Ack, notices).

Waiting in step 4 is bounded by ``sync_timeout_s``: past it, the gate asks the
node (``on_stall``) to renew its lease with ``standby=None``; the node calls
``degraded()`` once the witness confirmed, which releases the waiters. The node
calls ``resynced()`` when the backup has caught up again, and reports the
backup as standby only once every record acknowledged while degraded is on
the backup (``standby_in_sync``).

All methods are thread-safe; the trio side never blocks on them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol

from frontdesk.engine.errors import JournalError, StaleEpoch
from frontdesk.engine.journal import Journal, NewEvent, Record

Mode = Literal["sync", "async"]
ANY_STANDBY = "*"


class ReplicaJournal(Journal, Protocol):
    """A journal a replica can repair: ``SqlJournal`` and ``MemoryJournal``."""

    def truncate_after(self, seq: int) -> list[Record]: ...

    def epoch_runs(self) -> list[tuple[int, int, int]]:
        """``[(epoch, first seq, last seq), ...]`` in seq order (the node's ``runs``)."""
        ...


class ReplicationGate:
    def __init__(
        self,
        mode: Mode = "sync",
        sync_timeout_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        lapse_grace_s: float = 0.0,
    ) -> None:
        if mode not in ("sync", "async"):
            raise ValueError(f"replication mode: expected 'sync' or 'async', got {mode!r}")
        self.mode: Mode = mode
        self.sync_timeout_s = sync_timeout_s
        self.lapse_grace_s = lapse_grace_s
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._epoch = 0
        self._writable = False
        self._lease_until = 0.0
        self._acked = 0
        self._appended = 0
        self._degraded = False
        self._resync_mark = 0
        self._stall_reported = False
        self.standby_name: str | None = None
        self.on_stall: Callable[[], None] = lambda: None
        self.on_appended: Callable[[int], None] = lambda seq: None
        self.on_refused: Callable[[], None] = lambda: None

    # -- called by the node (trio side) ------------------------------------------

    def open(self, epoch: int, lease_until: float, acked: int) -> None:
        """This node became primary of ``epoch``: writes go through until the lease ends."""
        with self._cond:
            self._epoch = epoch
            self._writable = True
            self._lease_until = lease_until
            self._acked = acked
            self._appended = max(self._appended, acked)
            self._cond.notify_all()

    def extend(self, lease_until: float) -> None:
        with self._cond:
            self._lease_until = max(self._lease_until, lease_until)
            self._cond.notify_all()  # an append waiting out a lapse goes on

    def fence(self) -> None:
        """Refuse every append from now on; wake the waiters (they raise StaleEpoch)."""
        with self._cond:
            self._writable = False
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._writable = True
            self._cond.notify_all()

    def on_ack(self, seq: int) -> None:
        with self._cond:
            if seq > self._acked:
                self._acked = seq
                self._cond.notify_all()

    def reset_acks(self, seq: int) -> None:
        """A (re)connected backup holds everything up to ``seq``."""
        with self._cond:
            self._acked = seq
            self._cond.notify_all()

    def degraded(self) -> None:
        """The witness now knows the backup is not in sync: release the waiters."""
        with self._cond:
            self._degraded = True
            self._cond.notify_all()

    def resynced(self) -> None:
        """The backup is acking again: new appends wait for it from now on."""
        with self._cond:
            if self._degraded:
                self._degraded = False
                self._stall_reported = False
                self._resync_mark = self._appended

    # -- read by the node and by /healthz ------------------------------------------

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def acked(self) -> int:
        return self._acked

    @property
    def appended(self) -> int:
        return self._appended

    @property
    def lag(self) -> int:
        """Records written here that the backup has not acknowledged."""
        with self._cond:
            return max(0, self._appended - self._acked)

    @property
    def is_degraded(self) -> bool:
        return self._degraded

    def lease_left(self) -> float:
        """Seconds of lease left (0 when fenced or expired)."""
        with self._cond:
            if not self._writable:
                return 0.0
            return max(0.0, self._lease_until - self._monotonic())

    def lease_valid(self) -> bool:
        with self._cond:
            return self._writable and self._monotonic() < self._lease_until

    def standby_in_sync(self) -> str | None:
        """What the lease renewal reports: the standby that may take over, if any."""
        if self.mode == "async":
            return ANY_STANDBY
        with self._cond:
            if self._degraded or self.standby_name is None:
                return None
            if self._acked < self._resync_mark:
                return None
            return self.standby_name

    # -- called by the store's thread ------------------------------------------------

    def check_writable(self) -> None:
        with self._cond:
            give_up = time.monotonic() + self.lapse_grace_s
            while self._writable and self._monotonic() >= self._lease_until:
                left = give_up - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(timeout=left)  # woken by extend() or fence()
            self._check_writable()

    def _check_writable(self) -> None:
        if not self._writable:
            raise StaleEpoch(f"cannot append under epoch {self._epoch}: this node is not primary")
        if self._monotonic() >= self._lease_until:
            raise StaleEpoch(
                f"cannot append under epoch {self._epoch}: the lease ran out "
                f"{self._monotonic() - self._lease_until:.3f} s ago"
            )

    def set_appended(self, seq: int) -> None:
        """The journal's last seq, as found (start-up, promotion): no callback."""
        with self._cond:
            self._appended = seq

    def note_appended(self, seq: int) -> None:
        with self._cond:
            self._appended = max(self._appended, seq)
        self.on_appended(seq)

    def wait_durable(self, seq: int) -> None:
        """Block until ``seq`` may be acknowledged to its sender (see the module docstring).

        Raises ``StaleEpoch`` when this node stops being primary while waiting:
        the records were not acknowledged, and a new primary may not have them.
        """
        if self.mode == "async":
            return
        deadline = self._monotonic() + self.sync_timeout_s
        with self._cond:
            while True:
                if self._acked >= seq or self._degraded:
                    return
                if not self._writable:
                    raise StaleEpoch(
                        f"cannot confirm seq {seq} under epoch {self._epoch}: this node was "
                        f"fenced before the backup acknowledged it (backup at {self._acked})"
                    )
                remaining = deadline - self._monotonic()
                if remaining <= 0 and not self._stall_reported:
                    self._stall_reported = True
                    stall = self.on_stall
                    self._cond.release()
                    try:
                        stall()
                    finally:
                        self._cond.acquire()
                    continue
                self._cond.wait(timeout=max(remaining, 0.05) if remaining > 0 else 0.25)


class GatedJournal:
    """The journal the engine is given on a cluster node (see the module docstring)."""

    def __init__(self, inner: ReplicaJournal, gate: ReplicationGate) -> None:
        self.inner = inner
        self.gate = gate
        self.records_read = 0  # records the engine read: an engine start makes progress

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        try:
            self.gate.check_writable()
            records = self.inner.append(events, epoch)
            if records:
                self.gate.note_appended(records[-1].seq)
                self.gate.wait_durable(records[-1].seq)
        except StaleEpoch:
            self.gate.on_refused()  # the engine fences itself on this: the node must know
            raise
        return records

    def append_records(self, records: Sequence[Record]) -> None:
        raise JournalError("cannot append replicated records through the engine's journal")

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        for record in self.inner.read(after_seq, stream):
            self.records_read += 1  # read by the write watch (write_watch.py)
            yield record

    def last(self) -> tuple[int, int]:
        return self.inner.last()

    def epoch(self) -> int:
        return self.inner.epoch()

    def raise_epoch(self, epoch: int) -> None:
        self.inner.raise_epoch(epoch)

    def close(self) -> None:
        """The engine does not own the journal on a cluster node: the node closes it."""
