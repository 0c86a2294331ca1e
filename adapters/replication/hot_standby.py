"""The node's hot standby: the engine state kept live on a backup, and its checkpoints.

``HotState`` holds what the node's next engine starts from:

* at start, ``load()`` builds the state from the newest usable checkpoint plus the
  journal's tail (``frontdesk.adapters.storage.checkpoint.start_state``);
* as a backup, ``append()`` (the follower calls it in a worker thread) appends each
  replicated batch to the journal and then folds it into the state
  (``frontdesk.engine.standby.Standby``), so on promotion the engine starts from the state the
  backup already has: ``take()``, and ``replayed_at_promotion`` (from the engine's own
  count) is 0 — no record is replayed;
* after a truncation of the journal (a discarded tail) the state is rebuilt
  (``truncated``); when an engine stops, its state becomes the standby again
  (``engine_stopped``: the projection's summaries, with the open dialogs' histories
  read back from their streams), so a demoted or re-fenced primary keeps a hot state;
* ``keep_checkpoints`` writes a checkpoint of whichever state is live (the standby, or
  the running engine's projection) every ``interval_s`` once ``min_records`` more
  records were folded, each encoded and written in a worker thread.

A batch the state cannot fold (a record of an unknown type) drops the standby with an
ERROR log: the next engine then replays the journal itself, as without a standby.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

import trio

from frontdesk.adapters.replication.gate import ReplicaJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore, StartReport, start_state
from frontdesk.engine.errors import FrontdeskError
from frontdesk.engine.journal import Record
from frontdesk.engine.replay import Fold, fits, restore_histories
from frontdesk.engine.standby import Standby

log = logging.getLogger("frontdesk.replication.standby")


class HotEngine(Protocol):
    """What the hot state needs of an engine (``frontdesk.engine.runtime.Engine``)."""

    replayed: int

    def handoff(self) -> Fold | None: ...

    def checkpoint(self) -> bytes: ...

    def last_seq(self) -> int: ...


class HotState:
    def __init__(
        self,
        journal: ReplicaJournal,
        checkpoints: CheckpointStore | None,
        default_capacity: int,
        *,
        interval_s: float = 30.0,
        min_records: int = 1000,
    ) -> None:
        self.journal = journal
        self.checkpoints = checkpoints
        self.default_capacity = default_capacity
        self.interval_s = interval_s
        self.min_records = min_records
        self.standby: Standby | None = None
        self.start: StartReport | None = None
        self.replayed_at_promotion: int | None = None  # records the last engine replayed
        self.promotions_from_standby = 0
        self.engine: HotEngine | None = None
        self.checkpoint_errors = 0
        self.engine_started_at: float | None = None  # time.monotonic() (system-wide clock)

    # -- worker-thread calls --------------------------------------------------------

    def load(self) -> None:
        """Build the state: newest usable checkpoint plus the tail (or a full replay)."""
        try:
            fold, self.start = start_state(self.checkpoints, self.journal, self.default_capacity)
        except FrontdeskError as e:
            log.error("no hot standby: the journal cannot be folded (%s)", e)
            self.standby = None
            return
        self.standby = Standby(fold)

    def append(self, records: Sequence[Record]) -> None:
        """Append a replicated batch durably, then fold it into the live state."""
        self.journal.append_records(records)
        standby = self.standby
        if standby is None:
            return
        try:
            standby.apply(records)
        except FrontdeskError as e:
            log.error("hot standby dropped (the next engine replays the journal): %s", e)
            self.standby = None

    def truncated(self, seq: int) -> None:
        """The journal was cut after ``seq``: a state that folded more is rebuilt."""
        standby = self.standby
        if standby is not None and not standby.spent and standby.last_seq() <= seq:
            return
        self.load()

    # -- the engine's life (trio thread) ----------------------------------------------

    def take(self) -> Fold | None:
        """The state for the engine about to start (None: it replays the journal)."""
        standby, self.standby = self.standby, None
        if standby is None or standby.spent:
            return None
        return standby.take()

    def engine_started(self, engine: Any) -> None:
        self.engine = engine
        self.engine_started_at = time.monotonic()
        replayed = getattr(engine, "replayed", None)
        self.replayed_at_promotion = replayed if isinstance(replayed, int) else None
        if self.replayed_at_promotion == 0:
            self.promotions_from_standby += 1

    def engine_stopped(self, engine: Any) -> None:
        """Worker thread: the stopped engine's state (summaries) becomes the standby, its
        open dialogs' histories read back from their streams."""
        self.engine = None
        handoff = getattr(engine, "handoff", None)
        fold = handoff() if callable(handoff) else None
        if not isinstance(fold, Fold) or not fits(fold, self.journal):
            self.load()
            return
        restore_histories(fold, self.journal)
        self.standby = Standby(fold)

    # -- checkpoints ------------------------------------------------------------------

    def live_seq(self) -> int:
        engine, standby = self.engine, self.standby
        if engine is not None:
            return engine.last_seq()
        return standby.last_seq() if standby is not None and not standby.spent else 0

    async def keep_checkpoints(self) -> None:
        store = self.checkpoints
        if store is None:
            return
        while True:
            await trio.sleep(self.interval_s)
            await self.checkpoint_now()

    async def checkpoint_now(self, *, force: bool = False) -> bool:
        """Write a checkpoint if ``min_records`` were folded since the last (or ``force``)."""
        store = self.checkpoints
        if store is None:
            return False
        seq = self.live_seq()
        if seq == 0 or seq <= store.last_written_seq:
            return False
        if not force and seq - store.last_written_seq < self.min_records:
            return False
        source: HotEngine | Standby | None = self.engine or self.standby
        if source is None:
            return False
        try:
            data = await trio.to_thread.run_sync(source.checkpoint)
            path = await trio.to_thread.run_sync(store.write, data)
        except FrontdeskError as e:  # the standby was handed over meanwhile, or a disk error
            self.checkpoint_errors += 1
            log.warning("no checkpoint written: %s", e)
            return False
        log.info("checkpoint at seq %d written: %s (%d bytes)", seq, path, len(data))
        return True

    def report(self) -> dict[str, Any]:
        store = self.checkpoints
        start = self.start
        return {
            "hot": self.standby is not None or self.engine is not None,
            "applied_live": self.standby.applied if self.standby is not None else 0,
            "replayed_at_promotion": self.replayed_at_promotion,
            "start_checkpoint_seq": start.checkpoint_seq if start is not None else None,
            "start_replayed": start.replayed if start is not None else None,
            "checkpoint_seq": store.last_written_seq if store is not None else None,
            "engine_started_monotonic": self.engine_started_at,
        }
