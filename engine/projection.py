"""The inspection read model: what ``Engine.snapshot()`` returns.

The store folds every committed batch into it (so it never shows what is not
durable); ``snapshot()`` reads it under a lock without touching any actor.
Waiting times are computed at read time with the clock. It keeps summaries of the
dialogs, not their histories (``Fold.summarise``): a history is held by its actor, and a
closed dialog's is read from the journal.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from frontdesk.engine import checkpoint
from frontdesk.engine.clock import Clock
from frontdesk.engine.day_figures import figures
from frontdesk.engine.dialog_state import DialogState, Phase
from frontdesk.engine.events import Event
from frontdesk.engine.journal import Record
from frontdesk.engine.operator_state import OperatorState
from frontdesk.engine.replay import Fold

INTERNAL_SHOWN = 50  # general internal messages in a snapshot (the manager view)


class Projection:
    def __init__(self, fold: Fold, clock: Clock, node: dict[str, Any]) -> None:
        fold.summarise()
        self._fold = fold
        self._clock = clock
        self._lock = threading.Lock()
        self.node = node
        self.fenced_reason: str | None = None

    def apply(self, records: Sequence[Record], events: Sequence[Event]) -> None:
        """Fold what the store just appended: ``records``, made of ``events``."""
        with self._lock:
            self._fold.apply_appended(records, events)

    def checkpoint(self) -> bytes:
        """The checkpoint of the state now (``frontdesk.engine.checkpoint``), under the lock."""
        with self._lock:
            return checkpoint.encode(self._fold)

    def handoff(self) -> Fold:
        """The Fold itself, for whoever continues from it (the engine has stopped)."""
        with self._lock:
            return self._fold

    def entry_epoch(self, dialog_id: str, seq: int) -> int | None:
        """The epoch of a dialog's entry (``Fold.entry_epoch``). Read without the lock:
        it runs for every entry frame, and a dict read is atomic; an entry is folded
        before it is delivered, so its epoch is there when its frame is written."""
        return self._fold.entry_epoch(dialog_id, seq)

    def resume_point(self, dialog_id: str, epoch: int, seq: int) -> int | None:
        with self._lock:
            return self._fold.resume_point(dialog_id, epoch, seq)

    def dialog_cursor(self, dialog_id: str) -> tuple[int, int]:
        """(epoch, seq) of the dialog's latest committed entry; (0, 0) if not known."""
        with self._lock:
            runs = self._fold.epochs.get(dialog_id)
            return (runs[-1][0], runs[-1][2]) if runs else (0, 0)

    def dialog(self, dialog_id: str) -> DialogState | None:
        with self._lock:
            return self._fold.dialogs.get(dialog_id)

    def is_closed(self, dialog_id: str) -> bool:
        with self._lock:
            return dialog_id in self._fold.closed

    def may_exist(self, dialog_id: str) -> bool:
        """False for an id this node never gave (``d-<n>`` with n below the next number)."""
        prefix, _, number = dialog_id.partition("-")
        if prefix != "d" or not (number.isascii() and number.isdigit()):
            return False
        with self._lock:
            return 0 < int(number) < self._fold.next_number

    def fence(self, reason: str) -> None:
        """The journal refused this node's epoch: no more writes (``Engine.fenced``)."""
        with self._lock:
            self.fenced_reason = reason
            self.node["fenced"] = True

    def operator(self, operator_id: str) -> OperatorState | None:
        with self._lock:
            return self._fold.operators.get(operator_id)

    def last_seq(self) -> int:
        with self._lock:
            return self._fold.last_seq

    def queue_state(self) -> Any:
        with self._lock:
            return self._fold.queue_state()

    def snapshot(self) -> dict[str, Any]:
        now = self._clock.now()
        with self._lock:
            f = self._fold
            operators = [
                {
                    "id": o.id,
                    "name": o.name,
                    "status": o.status.value,
                    "status_since": o.status_since,
                    "time_in_status_s": max(0.0, now - o.status_since),
                    "load": len(o.held),
                    "capacity": o.capacity,
                    "dialogs": sorted(o.held, key=_number),
                }
                for o in sorted(f.operators.values(), key=lambda o: o.id)
            ]
            dialogs = [_dialog(d, now) for d in sorted(f.dialogs.values(), key=lambda d: d.number)]
            queue = [
                d.id
                for d in sorted(
                    (d for d in f.dialogs.values() if d.phase is Phase.QUEUED),
                    key=lambda d: (not d.requeued, -d.priority, d.number),  # as the queue
                )
            ]
            help_requests = [
                {"dialog": d.id, **d.help_request}
                for d in sorted(f.dialogs.values(), key=lambda d: d.number)
                if d.help_request is not None
            ]
            # the latest general internal messages (operator.internal) of logged-in operators
            internal = sorted((note for o in f.operators.values() for note in o.messages),
                              key=lambda note: note.at)[-INTERNAL_SHOWN:]
            node = {
                **self.node,
                "last_seq": f.last_seq,
                "epoch": max(f.epoch, self.node.get("epoch", 0)),
            }
            live = figures(f, now)
        return {
            "node": node,
            "operators": operators,
            "dialogs": dialogs,
            "queue": queue,
            "help_requests": help_requests,
            "operator_internal": [note.to_wire() for note in internal],
            "figures": live,
        }

    def figures(self) -> dict[str, Any]:
        """The live figures now (``frontdesk.engine.day_figures``), without the snapshot."""
        now = self._clock.now()
        with self._lock:
            return figures(self._fold, now)


def _number(dialog_id: str) -> int:
    try:
        return int(dialog_id.rsplit("-", 1)[-1])
    except ValueError:
        return 0


def _dialog(d: DialogState, now: float) -> dict[str, Any]:
    return {
        "id": d.id,
        "state": d.phase.value,
        "operator": d.operator,
        "visitor_name": d.visitor_name,
        "waiting_s": d.waiting_s(now),
        "unanswered_s": d.unanswered_s(now),
        "queued_s": d.queued_s(now),
        "important": d.important,
        "monitored": bool(d.monitors),
        "monitored_by": d.monitored_by,  # an operator's monitored dialog (None: not one)
        "opened_at": d.opened_at,
        "seq": d.seq,
        "priority": d.priority,
        "requeued": d.requeued,  # back at the head of the queue: its operator vanished
    }
