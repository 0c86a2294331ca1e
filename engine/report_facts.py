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
on random journals and periods by ``tests/engine/test_report_facts.py``). While the events'
times never go back (a real clock), each list is in time order and a period is found by
bisection: its cost is that of the period's facts (plus one interval per operator), not
of the journal. If a time ever goes back, the facts are scanned whole instead (still
exact).

Memory: a few objects per taking, status change, transfer, help request and dialog —
bounded by the dialogs and the takings, never by the messages (a message is folded to
nothing unless it is an operator's first answer of a taking, which fills a field of that
taking). Measured by ``python -m bench.report_cost`` (``docs/performance.md``).

Pure: events in, reports out; no clock, no I/O, no lock (``journal_views`` holds one).
"""

from __future__ import annotations

from bisect import bisect_left
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
    """Items in fold order with their times: those of ``[start, end)`` by bisection while
    the times are in order (``ordered``), by a scan otherwise."""

    __slots__ = ("ats", "items")

    def __init__(self) -> None:
        self.ats: list[float] = []
        self.items: list[T] = []

    def add(self, at: float, item: T) -> None:
        self.ats.append(at)
        self.items.append(item)

    def within(self, start: float, end: float, ordered: bool) -> list[T]:
        if ordered:
            return self.items[bisect_left(self.ats, start):bisect_left(self.ats, end)]
        return [item for at, item in zip(self.ats, self.items, strict=True)
                if start <= at < end]

    def overlapping(self, start: float, end: float, ordered: bool) -> list[T]:
        """The items begun before ``end``, from the last one begun at or before ``start``
        (ordered: the intervals before it ended by ``start``); every item otherwise."""
        if not ordered:
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
        self.statuses: dict[str, Timeline[Interval]] = {}  # operator -> intervals
        self.transfers: Timeline[tuple[str, str]] = Timeline()  # (from, to)
        self.helps: Timeline[str] = Timeline()  # the operator asking
        self.opened: Timeline[None] = Timeline()
        self.closed: Timeline[None] = Timeline()
        self.names: dict[str, str] = {}
        self.ordered = True  # no event's time has gone back so far
        self._last_at = float("-inf")
        self._n = 0  # events applied: the order samples were folded in

    def apply(self, e: engine_events.Event) -> None:
        handler = _HANDLERS.get(type(e))
        if handler is None:
            return
        self._n += 1
        if not e.at >= self._last_at:  # a time gone back (or not a number): scan from now on
            self.ordered = False
        self._last_at = max(self._last_at, e.at)
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
        if intervals is not None and intervals.items[-1].until is None:
            intervals.items[-1].until = at

    def _begin_status(self, operator: str, status: str, at: float) -> None:
        self._end_status(operator, at)
        self.statuses.setdefault(operator, Timeline()).add(at, Interval(status, at))

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
        first: dict[str, list[tuple[int, float]]] = {}
        handling: dict[str, list[tuple[int, float]]] = {}

        def op(operator: str) -> OperatorFigures:
            figures = ops.get(operator)
            if figures is None:
                figures = ops[operator] = OperatorFigures(operator, operator)
            return figures

        ordered = self.ordered
        for t in self.takings.within(start, end, ordered):
            op(t.operator).dialogs += 1
            if t.first_at is not None:
                first.setdefault(t.operator, []).append((t.first_n, max(0.0, t.first_at - t.since)))
            if t.ended_at is not None:
                handling.setdefault(t.operator, []).append(
                    (t.ended_n, max(0.0, t.ended_at - t.since)))
        for source, target in self.transfers.within(start, end, ordered):
            op(source).transfers_out += 1
            op(target).transfers_in += 1
        for operator in self.helps.within(start, end, ordered):
            op(operator).help_requests += 1
        for operator, intervals in self.statuses.items():
            for i in intervals.overlapping(start, end, ordered):
                until = now if i.until is None else i.until
                spent = min(until, end) - max(i.since, start)
                if spent > 0:
                    status_s = op(operator).status_s
                    status_s[i.status] = status_s.get(i.status, 0.0) + spent
        for operator, samples in first.items():  # in the order the reference appends them
            ops[operator].first_response_s = [s for _, s in sorted(samples, key=_order)]
        for operator, samples in handling.items():
            ops[operator].handling_s = [s for _, s in sorted(samples, key=_order)]
        for figures in ops.values():
            figures.name = self.names.get(figures.id, figures.id)
        operators = sorted(ops.values(), key=lambda o: (o.name.casefold(), o.id))
        total = OperatorFigures("", "Total")
        for figures in operators:
            total.add(figures)
        opened = len(self.opened.within(start, end, ordered))
        closed = len(self.closed.within(start, end, ordered))
        return Report(start, end, operators, total, opened, closed)

    def size(self) -> dict[str, int]:
        """How many facts are kept, by kind (what the memory is bounded by)."""
        return {"takings": len(self.takings), "holding": len(self.holding),
                "status_intervals": sum(len(t) for t in self.statuses.values()),
                "transfers": len(self.transfers), "help_requests": len(self.helps),
                "opened": len(self.opened), "closed": len(self.closed),
                "operators": len(self.names)}


def _order(sample: tuple[int, float]) -> int:
    return sample[0]


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
