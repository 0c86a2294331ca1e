"""The hot standby: a backup's engine state, kept live as replicated records arrive.

A backup appends each replicated batch to its journal and then folds it here, with
the same ``Fold.apply_records`` a start-up replay uses (one code path, so the state
a backup built live and the state a replay builds cannot drift apart). On promotion
the node hands this Fold to the new engine (``Engine(fold=...)``), which starts its
actors from it and folds only what the journal holds beyond it — nothing, normally:
promotion is a switch, not a replay.

The follower folds from a worker thread while the checkpoint writer may read from
another, so every access takes the lock. ``take`` hands the Fold over for good
(after it the standby is spent: a node that stops being primary builds a new one
from the stopped engine's Fold).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from frontdesk.engine import checkpoint
from frontdesk.engine.errors import EngineError
from frontdesk.engine.journal import Record
from frontdesk.engine.replay import Fold


class Standby:
    def __init__(self, fold: Fold) -> None:
        self._fold: Fold | None = fold
        self._lock = threading.Lock()
        self.applied = 0  # records folded live since this standby was made

    def apply(self, records: Sequence[Record]) -> None:
        """Fold a replicated batch (call it once the batch is durable in the journal)."""
        with self._lock:
            self.applied += self._live("apply records").apply_records(records)

    def last_seq(self) -> int:
        with self._lock:
            return self._fold.last_seq if self._fold is not None else 0

    def checkpoint(self) -> bytes:
        """The checkpoint of the state now (``frontdesk.engine.checkpoint``)."""
        with self._lock:
            return checkpoint.encode(self._live("write a checkpoint"))

    def take(self) -> Fold:
        """The Fold, for the engine that starts from it; the standby is spent after it."""
        with self._lock:
            fold = self._live("hand over the state")
            self._fold = None
            return fold

    @property
    def spent(self) -> bool:
        with self._lock:
            return self._fold is None

    def _live(self, what: str) -> Fold:
        if self._fold is None:
            raise EngineError(f"cannot {what}: the standby was handed to an engine")
        return self._fold
