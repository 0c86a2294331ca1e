"""The read model of reports: compact facts folded once, any period computed from them.

A report used to be a fold of the whole journal for the one period asked
(``frontdesk.engine.testing.report_reference``). ``ReportFacts`` folds each event once,
keeping only what a report of *any* period ``[start, end)`` needs:

- per **taking** (a dialog assigned or transferred to an operator): the operator, since
  when, when they first answered (if they did while holding it) and when it ended (a
  close, a transfer away, a requeue, another assignment);
- per operator, the **status intervals** (status, since, until; the current one open);
- the **transfers** (when, from, to) and **help requests** (when, by whom);
- when dialogs were **opened** and **closed**;
- the latest **name** of each operator.

``report(start, end, now)`` then gives exactly the figures of the reference fold (checked
on random journals and periods by ``tests/engine/test_report_facts.py``). A period is found by
bisection: its cost is that of the period's facts (plus one interval per operator), not
of the journal. Each list is kept in time order even when a time goes back a little (two
actors' clock readings appended in turn): an earlier fact is inserted where it belongs. An
operator whose own status events went back in time has their intervals scanned whole
(still exact).

Memory: a few objects per taking, status change, transfer, help request and dialog —
bounded by the dialogs and the takings, never by the messages (a message is folded to
nothing unless it is an operator's first answer of a taking, which fills a field of that
taking). Measured by ``python -m bench.report_cost`` (``docs/performance.md``).

Pure: events in, reports out; no clock, no I/O, no lock (``journal_views`` holds one).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from frontdesk.engine import events as engine_events
from frontdesk.engine.report_figures import OperatorFigures, Report

T = TypeVar("T")


@dataclass(slots=True)
class Taking:
    """A dialog held by ``operator`` from ``since``; ``*_n`` order samples as folded."""

    operator: str
    since: float
    first_at: float | None = None  # the holder's first message while holding it
    first_n: int = 0
    ended_at: float | None = None  # closed, transferred away, requeued or reassigned
    ended_n: int = 0


@dataclass(slots=True)
class Interval:
    """An operator's status from ``since`` until ``until`` (None: the current one)."""

    status: str
    since: float
    until: float | None = None


class Timeline(Generic[T]):
    """Items with their times, kept in time order (an item of an earlier time than the
    last is inserted where it belongs), so the items of ``[start, end)`` are found by
    bisection."""

    __slots__ = ("ats", "items")

    def __init__(self) -> None:
        self.ats: list[float] = []
        self.items: list[T] = []

    def add(self, at: float, item: T) -> None:
        if math.isnan(at):  # no number (a damaged record): in no period, nothing to keep
            return
        if not self.ats or at >= self.ats[-1]:
            self.ats.append(at)
            self.items.append(item)
        else:  # a time gone back a little (two actors' clock readings appended in turn)
            i = bisect_right(self.ats, at)
            self.ats.insert(i, at)
            self.items.insert(i, item)

    def within(self, start: float, end: float) -> list[T]:
        return self.items[bisect_left(self.ats, start):bisect_left(self.ats, end)]

    def __len__(self) -> int:
        return len(self.items)


class Intervals:
    """One operator's status intervals in the order they began and ended. While no
    status event of theirs went back in time (their actor's clock), each ends at or
    before the next begins: those overlapping a period are found by bisection."""

    __slots__ = ("_last_at", "ats", "items", "ordered")

    def __init__(self) -> None:
        self.ats: list[float] = []
        self.items: list[Interval] = []
        self.ordered = True
        self._last_at = float("-inf")

    def seen(self, at: float) -> None:
        """A status event of this operator at ``at`` (one that begins or ends one)."""
        if not at >= self._last_at:
            self.ordered = False
        self._last_at = max(self._last_at, at)

    def begin(self, interval: Interval) -> None:
        self.ats.append(interval.since)
        self.items.append(interval)

    def overlapping(self, start: float, end: float) -> list[Interval]:
        """The intervals that may overlap ``[start, end)``: begun before ``end``, from the
        last one begun before ``start`` (ordered); every one otherwise."""
        if not self.ordered:
            return self.items
        lo = max(0, bisect_left(self.ats, start) - 1)
        return self.items[lo:bisect_left(self.ats, end)]

    def __len__(self) -> int:
        return len(self.items)


class ReportFacts:
    """The facts of every event applied so far (see the module docstring)."""

    def __init__(self) -> None:
        self.takings: Timeline[Taking] = Timeline()
        self.holding: dict[str, Taking] = {}  # dialog -> its current taking
        self.statuses: dict[str, Intervals] = {}  # operator -> their status intervals
        self.transfers: Timeline[tuple[str, str]] = Timeline()  # (from, to)
        self.helps: Timeline[str] = Timeline()  # the operator asking
        self.opened: Timeline[None] = Timeline()
        self.closed: Timeline[None] = Timeline()
        self.names: dict[str, str] = {}
        self._n = 0  # events applied: the order samples were folded in

    def apply(self, e: engine_events.Event) -> None:
        handler = _HANDLERS.get(type(e))
        if handler is None:
            return
        self._n += 1
        handler(self, e)

    # --- folding ---------------------------------------------------------------------

    def _take(self, dialog: str, operator: str, name: str, at: float) -> None:
        self.names[operator] = name
        taking = Taking(operator, at)
        self.takings.add(at, taking)
        self.holding[dialog] = taking

    def _let_go(self, dialog: str, at: float) -> None:
        taking = self.holding.pop(dialog, None)
        if taking is not None:
            taking.ended_at, taking.ended_n = at, self._n

    def _opened(self, e: engine_events.DialogOpened) -> None:
        self.opened.add(e.at, None)

    def _assigned(self, e: engine_events.DialogAssigned) -> None:
        self._let_go(e.dialog, e.at)
        self._take(e.dialog, e.operator, e.operator_name, e.at)

    def _transferred(self, e: engine_events.DialogTransferred) -> None:
        if e.from_name:
            self.names[e.from_operator] = e.from_name
        self.transfers.add(e.at, (e.from_operator, e.to_operator))
        self._let_go(e.dialog, e.at)
        self._take(e.dialog, e.to_operator, e.to_name, e.at)

    def _requeued(self, e: engine_events.DialogRequeued) -> None:
        self._let_go(e.dialog, e.at)

    def _closed(self, e: engine_events.DialogClosed) -> None:
        self.closed.add(e.at, None)
        self._let_go(e.dialog, e.at)

    def _message(self, e: engine_events.MessagePosted) -> None:
        taking = self.holding.get(e.dialog)
        if (taking is None or taking.first_at is not None or e.author != "operator"
                or e.operator != taking.operator):
            return
        taking.first_at, taking.first_n = e.at, self._n

    def _help(self, e: engine_events.HelpRequested) -> None:
        self.helps.add(e.at, e.operator)

    def _end_status(self, operator: str, at: float) -> None:
        intervals = self.statuses.get(operator)
        if intervals is None:
            return
        intervals.seen(at)
        if intervals.items and intervals.items[-1].until is None:
            intervals.items[-1].until = at

    def _begin_status(self, operator: str, status: str, at: float) -> None:
        self._end_status(operator, at)
        intervals = self.statuses.setdefault(operator, Intervals())
        intervals.seen(at)
        intervals.begin(Interval(status, at))

    def _logged_in(self, e: engine_events.OperatorLoggedIn) -> None:
        self.names[e.operator] = e.name
        self._begin_status(e.operator, e.status, e.at)

    def _status_set(self, e: engine_events.StatusSet) -> None:
        self._begin_status(e.operator, e.status, e.at)

    def _logged_out(self, e: engine_events.OperatorLoggedOut) -> None:
        self._end_status(e.operator, e.at)

    # --- a period --------------------------------------------------------------------

    def report(self, start: float, end: float, now: float) -> Report:
        """The report of ``[start, end)`` read at ``now`` (see ``frontdesk.engine.reports``)."""
        if not end > start:
            raise ValueError(f"a report's period must end after it starts: {start} .. {end}")
        ops: dict[str, OperatorFigures] = {}
        first: list[tuple[int, str, float]] = []  # (when folded, operator, seconds)
        handling: list[tuple[int, str, float]] = []

        def op(operator: str) -> OperatorFigures:
            figures = ops.get(operator)
            if figures is None:
                figures = ops[operator] = OperatorFigures(operator, operator)
            return figures

        for t in self.takings.within(start, end):
            op(t.operator).dialogs += 1
            if t.first_at is not None:
                first.append((t.first_n, t.operator, max(0.0, t.first_at - t.since)))
            if t.ended_at is not None:
                handling.append((t.ended_n, t.operator, max(0.0, t.ended_at - t.since)))
        first.sort()  # the order the reference appends samples in (a float sum's order)
        handling.sort()
        for _, operator, seconds in first:
            ops[operator].first_response_s.append(seconds)
        for _, operator, seconds in handling:
            ops[operator].handling_s.append(seconds)
        for source, target in self.transfers.within(start, end):
            op(source).transfers_out += 1
            op(target).transfers_in += 1
        for operator in self.helps.within(start, end):
            op(operator).help_requests += 1
        for operator, intervals in self.statuses.items():
            for i in intervals.overlapping(start, end):
                until = now if i.until is None else i.until
                spent = min(until, end) - max(i.since, start)
                if spent > 0:
                    status_s = op(operator).status_s
                    status_s[i.status] = status_s.get(i.status, 0.0) + spent
        for figures in ops.values():
            figures.name = self.names.get(figures.id, figures.id)
        operators = sorted(ops.values(), key=lambda o: (o.name.casefold(), o.id))
        total = OperatorFigures("", "Total")
        for figures in operators:
            total.add(figures)
        opened = len(self.opened.within(start, end))
        closed = len(self.closed.within(start, end))
        return Report(start, end, operators, total, opened, closed)

    def size(self) -> dict[str, int]:
        """How many facts are kept, by kind (what the memory is bounded by)."""
        return {"takings": len(self.takings), "holding": len(self.holding),
                "status_intervals": sum(len(t) for t in self.statuses.values()),
                "transfers": len(self.transfers), "help_requests": len(self.helps),
                "opened": len(self.opened), "closed": len(self.closed),
                "operators": len(self.names)}


_HANDLERS: dict[type[engine_events.Event], Callable[[ReportFacts, Any], None]] = {
    engine_events.DialogOpened: ReportFacts._opened,
    engine_events.DialogAssigned: ReportFacts._assigned,
    engine_events.DialogTransferred: ReportFacts._transferred,
    engine_events.DialogRequeued: ReportFacts._requeued,
    engine_events.DialogClosed: ReportFacts._closed,
    engine_events.MessagePosted: ReportFacts._message,
    engine_events.HelpRequested: ReportFacts._help,
    engine_events.OperatorLoggedIn: ReportFacts._logged_in,
    engine_events.StatusSet: ReportFacts._status_set,
    engine_events.OperatorLoggedOut: ReportFacts._logged_out,
}

EVENT_KINDS: tuple[type[engine_events.Event], ...] = tuple(_HANDLERS)  # what a report reads
