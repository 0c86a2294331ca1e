"""Replay: fold journal records into the states of dialogs, operators and the queue.

The same ``Fold`` is used three ways: at start-up over the whole journal (to
start the actors of open dialogs and logged-in operators, and the queue in
its order), by the store after each commit (the inspection projection), and
to rebuild one actor after a crash. It is built only with the pure ``apply``
functions of the state machines, so what an actor holds in memory and what a
replay gives are the same thing.

A fold keeps each open dialog's history until ``summarise()`` (the projection's fold,
once the actors have their states): from then on it keeps summaries (every field but
the entries, ``dialog_state.summary``), so a history is held once, by its actor. A
closed dialog's history is read from the journal when a watcher asks for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from engine import dialog_state as ds
from engine import events as ev
from engine import notices as n
from engine import operator_state as os_
from engine import queue_state as qs
from engine.dialog_state import DialogState, Phase
from engine.journal import Record
from engine.operator_state import OperatorState

CLOSED_KEPT = 10_000  # ids of the latest closed dialogs (commands to them: Rejected closed)


class Fold:
    def __init__(self, default_capacity: int) -> None:
        self.default_capacity = default_capacity
        self.dialogs: dict[str, DialogState] = {}  # open ones
        self.closed: dict[str, None] = {}  # ids of the latest closed dialogs (ordered set)
        self.histories = True  # False once summarised: dialogs without their entries
        self.operators: dict[str, OperatorState] = {}  # logged-in ones
        self.next_number = 1
        self.last_seq = 0
        self.epoch = 0

    def summarise(self) -> None:
        """From now on keep summaries of the dialogs, not their histories (the projection:
        each open dialog's actor holds its history)."""
        self.histories = False
        self.dialogs = {k: ds.summary(d) for k, d in self.dialogs.items()}

    def apply_records(self, records: Iterable[Record]) -> None:
        for r in records:
            self.apply(ev.from_record(r))
            self.last_seq = r.seq
            self.epoch = max(self.epoch, r.epoch)

    def apply_appended(self, records: Sequence[Record], events: Sequence[ev.Event]) -> None:
        """Fold what was just appended: ``events`` are the ones ``records`` were made of, in
        order, so they are folded as they are instead of decoded back from the records."""
        for r, e in zip(records, events, strict=True):
            self.apply(e)
            self.last_seq = r.seq
            self.epoch = max(self.epoch, r.epoch)

    def apply(self, e: ev.Event) -> None:
        if isinstance(e, ev.DialogOpenedEv):
            state = ds.opened(e)
            self.dialogs[e.dialog] = state if self.histories else ds.summary(state)
            self.next_number = max(self.next_number, e.number + 1)
        elif isinstance(e, ev.DialogEvent):
            self._apply_dialog(e)
        elif isinstance(e, ev.OperatorLoggedInEv):
            old = self.operators.get(e.operator)
            if old is None:
                new = os_.logged_in(e, self.default_capacity)
                held = {
                    d.id: _added(new.id, d)
                    for d in self.dialogs.values()
                    if d.operator == e.operator
                }
                self.operators[e.operator] = dataclasses.replace(new, held=held)
            else:
                self.operators[e.operator] = os_.apply(old, e)
        elif isinstance(e, ev.OperatorEvent):
            op = self.operators.get(e.operator)
            if op is None:
                return
            op = os_.apply(op, e)
            if op.logged_in:
                self.operators[e.operator] = op
            else:
                del self.operators[e.operator]

    def _apply_dialog(self, e: ev.DialogEvent) -> None:
        before = self.dialogs.get(e.dialog)
        if before is None:
            return
        after = ds.apply(before, e)
        if after.phase is Phase.CLOSED:
            del self.dialogs[e.dialog]
            self.closed[e.dialog] = None
            if len(self.closed) > CLOSED_KEPT:
                del self.closed[next(iter(self.closed))]
        else:
            self.dialogs[e.dialog] = after
        if isinstance(e, ev.DialogAssignedEv):
            self._set_last_assigned(e.operator, e.at)
        holder_before = before.operator
        holder_after = after.operator if after.phase is not Phase.CLOSED else None
        if holder_before != holder_after:
            if holder_before is not None:
                self._held(holder_before, e.dialog, None)
            if holder_after is not None:
                added = _added(holder_after, after)
                if isinstance(e, ev.DialogTransferredEv):
                    added = dataclasses.replace(
                        added,
                        transferred_from=e.from_operator,
                        transferred_from_name=e.from_name,
                        note=e.note,
                    )
                self._held(holder_after, e.dialog, added)

    def _held(self, operator: str, dialog: str, added: n.DialogAdded | None) -> None:
        op = self.operators.get(operator)
        if op is None:
            return
        held = {k: v for k, v in op.held.items() if k != dialog}
        if added is not None:
            held[dialog] = added
        self.operators[operator] = dataclasses.replace(op, held=held)

    def _set_last_assigned(self, operator: str, at: float) -> None:
        op = self.operators.get(operator)
        if op is not None:
            self.operators[operator] = dataclasses.replace(op, last_assigned_at=at)

    # --- what actors are rebuilt from ----------------------------------------------------

    def queue_state(self) -> qs.QueueState:
        waiting = sorted(
            (
                qs.Entry(d.id, d.number, d.priority)
                for d in self.dialogs.values()
                if d.phase is Phase.QUEUED
            ),
            key=lambda e: e.key,
        )
        ops = {o.id: o.availability() for o in self.operators.values()}
        return qs.QueueState(entries=tuple(waiting), operators=ops)


def _added(operator: str, d: DialogState) -> n.DialogAdded:
    return n.DialogAdded(operator, d.id, d.seq, d.visitor_name)


def fold(records: Iterable[Record], default_capacity: int) -> Fold:
    f = Fold(default_capacity)
    f.apply_records(records)
    return f
