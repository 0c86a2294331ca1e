"""Replay: fold journal records into the states of dialogs, operators and the queue.

The same ``Fold`` is used four ways: at start-up over the journal (to start
the actors of open dialogs and logged-in operators, and the queue in its
order), by the store after each commit (the inspection projection), by a
backup on each replicated batch as it arrives (``frontdesk.engine.standby``: the hot
standby, so a promotion starts the actors from it without reading the
journal), and to rebuild one actor after a crash. It is built only with the
pure ``apply`` functions of the state machines, so what an actor holds in
memory, what a backup built live and what a replay gives are the same thing.

A start needs no full replay either: ``catch_up`` folds into a given Fold (a
checkpoint's, ``frontdesk.engine.checkpoint``, or the standby's) only the records after
its ``last_seq``, once ``fits`` has checked that the Fold describes a prefix
of this journal; a summarised Fold (a checkpoint's, the projection's) gets its
open dialogs' histories back from their streams first (``restore_histories``).

A fold keeps each open dialog's history until ``summarise()`` (the projection's fold,
once the actors have their states): from then on it keeps summaries (every field but
the entries, ``dialog_state.summary``), so a history is held once, by its actor. A
closed dialog's history is read from the journal when a watcher asks for it.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Sequence

from frontdesk.engine import dialog_state, notices, operator_state
from frontdesk.engine import events as engine_events
from frontdesk.engine import queue_state as engine_queue_state
from frontdesk.engine.day_figures import DayTally
from frontdesk.engine.dialog_state import DialogState, Phase
from frontdesk.engine.dialog_watch import fold_stream
from frontdesk.engine.journal import Journal, Record
from frontdesk.engine.operator_state import OperatorState
from frontdesk.engine.wait_estimate import SAMPLES

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
        # the epochs of each dialog's entries, as runs ``(epoch, first_seq, last_seq)``
        # (dialog seqs), for the open and the remembered closed dialogs: a resume cursor
        # is ``(epoch, seq)`` and is checked against them (``resume_point``)
        self.epochs: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self.day = DayTally()  # today's counts: the live figures (engine/day_figures.py)
        # the waits (queued to assigned) of the latest assignments out of the queue: the
        # queue's estimated wait starts from them after a restart (engine/wait_estimate.py)
        self.waits: deque[float] = deque(maxlen=SAMPLES)

    def summarise(self) -> None:
        """From now on keep summaries of the dialogs, not their histories (the projection:
        each open dialog's actor holds its history)."""
        self.histories = False
        self.dialogs = {k: dialog_state.summary(d) for k, d in self.dialogs.items()}

    def apply_records(self, records: Iterable[Record]) -> int:
        """Fold ``records`` (those at or before ``last_seq`` are already in: skipped, as
        replication may send a record twice); returns how many were folded."""
        folded = 0
        for r in records:
            if r.seq <= self.last_seq:
                continue
            folded += 1
            self._fold_one(r, engine_events.from_record(r))
        return folded

    def apply_appended(self, records: Sequence[Record],
                       events: Sequence[engine_events.Event]) -> None:
        """Fold what was just appended: ``events`` are the ones ``records`` were made of, in
        order, so they are folded as they are instead of decoded back from the records."""
        for r, e in zip(records, events, strict=True):
            self._fold_one(r, e)

    def _fold_one(self, r: Record, e: engine_events.Event) -> None:
        self.apply(e)
        seq = getattr(e, "seq", None)  # a history event carries its dialog seq
        known = isinstance(e, engine_events.DialogEvent) and (
            e.dialog in self.dialogs or e.dialog in self.closed
        )
        if known and isinstance(seq, int):
            assert isinstance(e, engine_events.DialogEvent)
            self._note_epoch(e.dialog, r.epoch, seq)
        self.last_seq = r.seq
        self.epoch = max(self.epoch, r.epoch)

    def _note_epoch(self, dialog: str, epoch: int, seq: int) -> None:
        runs = self.epochs.get(dialog, ())
        if runs and runs[-1][0] == epoch:
            self.epochs[dialog] = (*runs[:-1], (epoch, runs[-1][1], seq))
        else:
            self.epochs[dialog] = (*runs, (epoch, seq, seq))

    def apply(self, e: engine_events.Event) -> None:
        before = self.operators.get(e.operator) if isinstance(e,
                                                              engine_events.OperatorEvent) else None
        self.day.apply(e, before)
        if isinstance(e, engine_events.DialogOpened):
            state = dialog_state.opened(e)
            self.dialogs[e.dialog] = state if self.histories else dialog_state.summary(state)
            self.next_number = max(self.next_number, e.number + 1)
        elif isinstance(e, engine_events.DialogEvent):
            self._apply_dialog(e)
        elif isinstance(e, engine_events.OperatorLoggedIn):
            old = self.operators.get(e.operator)
            if old is None:
                new = operator_state.logged_in(e, self.default_capacity)
                held = {
                    d.id: _added(new.id, d)
                    for d in self.dialogs.values()
                    if d.operator == e.operator
                }
                self.operators[e.operator] = dataclasses.replace(new, held=held)
            else:
                self.operators[e.operator] = operator_state.apply(old, e)
        elif isinstance(e, engine_events.OperatorEvent):
            op = self.operators.get(e.operator)
            if op is None:
                return
            op = operator_state.apply(op, e)
            if op.logged_in:
                self.operators[e.operator] = op
            else:
                del self.operators[e.operator]

    def _apply_dialog(self, e: engine_events.DialogEvent) -> None:
        before = self.dialogs.get(e.dialog)
        if before is None:
            return
        after = dialog_state.apply(before, e)
        if after.phase is Phase.CLOSED:
            del self.dialogs[e.dialog]
            self.closed[e.dialog] = None
            if len(self.closed) > CLOSED_KEPT:
                forgotten = next(iter(self.closed))
                del self.closed[forgotten]
                self.epochs.pop(forgotten, None)
        else:
            self.dialogs[e.dialog] = after
        if isinstance(e, engine_events.DialogAssigned):
            self._set_last_assigned(e.operator, e.at)
            waited = before.queued_s(e.at)
            if waited is not None:
                self.waits.append(waited)
        holder_before = before.operator
        holder_after = after.operator if after.phase is not Phase.CLOSED else None
        if holder_before != holder_after:
            if holder_before is not None:
                self._held(holder_before, e.dialog, None)
            if holder_after is not None:
                added = _added(holder_after, after)
                if isinstance(e, engine_events.DialogTransferred):
                    added = dataclasses.replace(
                        added,
                        transferred_from=e.from_operator,
                        transferred_from_name=e.from_name,
                        note=e.note,
                    )
                self._held(holder_after, e.dialog, added)

    def _held(self, operator: str, dialog: str, added: notices.DialogAdded | None) -> None:
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

    # --- resume cursors -------------------------------------------------------------------

    def entry_epoch(self, dialog: str, seq: int) -> int | None:
        """The epoch in which entry ``seq`` of ``dialog`` was written (None: not known)."""
        for epoch, first, last in reversed(self.epochs.get(dialog, ())):
            if first <= seq <= last:
                return epoch
        return None

    def resume_point(self, dialog: str, epoch: int, seq: int) -> int | None:
        """Where a client whose last entry of ``dialog`` is ``(epoch, seq)`` resumes.

        None: its cursor is this node's history (the entry at ``seq`` is of ``epoch``),
        or the dialog is not known here (the watch says so). Otherwise its history ends
        in a tail this node does not hold (discarded by a failover, the seqs possibly
        reused): the seq up to which it agrees with this node — the end of this node's
        run of ``epoch`` (one writer per epoch: those entries, and all before them, are
        the ones the client has), or 0 when this node holds no entry of ``epoch``. The
        client drops what it holds after that seq and is replayed from there."""
        runs = self.epochs.get(dialog)
        if runs is None or seq == 0 or self.entry_epoch(dialog, seq) == epoch:
            return None
        for e, _, last in runs:
            if e == epoch:
                return min(seq, last)
        return 0

    # --- what actors are rebuilt from ----------------------------------------------------

    def queue_state(self) -> engine_queue_state.QueueState:
        waiting = sorted(
            (
                engine_queue_state.Entry(d.id, d.number, d.priority, head=d.requeued)
                for d in self.dialogs.values()
                if d.phase is Phase.QUEUED
            ),
            key=lambda e: e.key,
        )
        ops = {o.id: o.availability() for o in self.operators.values()}
        return engine_queue_state.QueueState.rebuilt(entries=tuple(waiting), operators=ops,
                                                     waits=self.waits)


def _added(operator: str, d: DialogState) -> notices.DialogAdded:
    return notices.DialogAdded(operator, d.id, d.seq, d.visitor_name,
                         monitored=d.monitored_by is not None)


def fits(f: Fold, journal: Journal) -> bool:
    """True if ``f`` folds a prefix of ``journal``: the journal holds a record at
    ``f.last_seq`` and it is of ``f.epoch`` (one writer per epoch, so the records up to
    it are the ones ``f`` folded). An empty Fold fits every journal."""
    if f.last_seq == 0:
        return True
    if f.last_seq > journal.last()[1]:
        return False
    at = next(iter(journal.read(f.last_seq - 1)), None)
    return at is not None and at.seq == f.last_seq and at.epoch == f.epoch


def restore_histories(f: Fold, journal: Journal) -> None:
    """Give a summarised ``f`` (one that fits ``journal``) its open dialogs' histories
    again, each folded from its own stream up to ``f.last_seq`` (a read per open dialog,
    not of the journal), so it is the Fold a full replay builds."""
    if f.histories:
        return
    for dialog in list(f.dialogs):
        events = (
            engine_events.from_record(r)
            for r in journal.read(0, f"dialog:{dialog}")
            if r.seq <= f.last_seq
        )
        state = fold_stream(events)
        if state is not None:
            f.dialogs[dialog] = state
    f.histories = True


def catch_up(f: Fold, journal: Journal) -> int:
    """Fold the records of ``journal`` after ``f.last_seq`` into ``f`` (``f`` must fit it,
    with its histories); returns how many."""
    return f.apply_records(journal.read(f.last_seq))


def fold(records: Iterable[Record], default_capacity: int) -> Fold:
    f = Fold(default_capacity)
    f.apply_records(records)
    return f
