"""Reports for a period: what each operator did, folded from the journal's events.

``report(events, start, end, now)`` reads the events in journal order (all of them, or
at least from before the period: an operator's status and a dialog's holder at the
period's start come from earlier events) and returns a ``Report`` of the period
``[start, end)`` (wall-clock seconds; the web layer turns dates of a time zone into
them). Pure: no clock, no I/O.

What counts, per operator:

- **dialogs**: dialogs taken in the period (assigned to them, or transferred to them:
  a transferred dialog counts for both operators, as in the live figures);
- **first response**: from taking a dialog to the operator's first message in it (a
  taking of the period, the message possibly after it); a dialog closed, transferred or
  requeued before the operator wrote gives no sample;
- **handling**: from taking a dialog to its close, its transfer away or its requeue (a
  taking of the period that has ended by ``now``; one still held gives no sample);
- **status**: seconds in each status inside the period (an interval across the start or
  the end counts its part inside; the current status counts up to ``now``);
- **transfers in / out** and **help requests** made in the period.

The team's totals sum the counts and the seconds, and take the mean and the median of
all the operators' samples together.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import Record
from frontdesk.engine.status import Status

STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


@dataclass
class OperatorFigures:
    """One operator's figures of the period (or the team's, summed)."""

    id: str
    name: str
    dialogs: int = 0
    first_response_s: list[float] = field(default_factory=list)
    handling_s: list[float] = field(default_factory=list)
    status_s: dict[str, float] = field(default_factory=dict)
    transfers_in: int = 0
    transfers_out: int = 0
    help_requests: int = 0

    def add(self, other: OperatorFigures) -> None:
        self.dialogs += other.dialogs
        self.first_response_s.extend(other.first_response_s)
        self.handling_s.extend(other.handling_s)
        for status, seconds in other.status_s.items():
            self.status_s[status] = self.status_s.get(status, 0.0) + seconds
        self.transfers_in += other.transfers_in
        self.transfers_out += other.transfers_out
        self.help_requests += other.help_requests

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "dialogs": self.dialogs,
            "first_response": _summary(self.first_response_s),
            "handling": _summary(self.handling_s),
            "status_s": {s: round(self.status_s.get(s, 0.0), 3) for s in STATUSES},
            "transfers_in": self.transfers_in,
            "transfers_out": self.transfers_out,
            "help_requests": self.help_requests,
        }


def _summary(samples: list[float]) -> dict[str, Any]:
    """Count, mean and median of ``samples`` (seconds; None when there is none)."""
    if not samples:
        return {"count": 0, "mean_s": None, "median_s": None, "total_s": 0.0}
    return {
        "count": len(samples),
        "mean_s": round(statistics.fmean(samples), 3),
        "median_s": round(statistics.median(samples), 3),
        "total_s": round(sum(samples), 3),
    }


@dataclass
class Report:
    start: float
    end: float
    operators: list[OperatorFigures]
    total: OperatorFigures
    opened: int = 0  # dialogs opened in the period
    closed: int = 0  # dialogs closed in the period

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "statuses": list(STATUSES),
            "opened": self.opened,
            "closed": self.closed,
            "operators": [o.to_json() for o in self.operators],
            "total": self.total.to_json(),
        }


@dataclass
class _Holding:
    """A dialog's current holder and since when (the taking being measured)."""

    operator: str
    since: float
    counted: bool  # the taking is inside the period (its samples count)
    answered: bool = False


class _Folder:
    def __init__(self, start: float, end: float, now: float) -> None:
        self.start, self.end, self.now = start, end, now
        self.ops: dict[str, OperatorFigures] = {}
        self.holding: dict[str, _Holding] = {}
        self.status: dict[str, tuple[str, float]] = {}  # operator -> (status, since)
        self.names: dict[str, str] = {}  # the latest name seen of each operator
        self.opened = 0
        self.closed = 0

    def _in(self, at: float) -> bool:
        return self.start <= at < self.end

    def op(self, operator: str, name: str = "") -> OperatorFigures:
        """The figures of ``operator`` (made when something of the period counts)."""
        if name:
            self.names[operator] = name
        figures = self.ops.get(operator)
        if figures is None:
            figures = self.ops[operator] = OperatorFigures(operator, operator)
        figures.name = self.names.get(operator, operator)
        return figures

    def apply(self, e: engine_events.Event) -> None:
        handler = _HANDLERS.get(type(e))
        if handler is not None:
            handler(self, e)

    # --- dialogs ---------------------------------------------------------------------

    def _take(self, dialog: str, operator: str, name: str, at: float) -> None:
        self.names[operator] = name
        counted = self._in(at)
        if counted:
            self.op(operator, name).dialogs += 1
        self.holding[dialog] = _Holding(operator, at, counted)

    def _let_go(self, dialog: str, at: float) -> None:
        held = self.holding.pop(dialog, None)
        if held is not None and held.counted:
            self.op(held.operator).handling_s.append(max(0.0, at - held.since))

    def opened_(self, e: engine_events.DialogOpened) -> None:
        if self._in(e.at):
            self.opened += 1

    def assigned(self, e: engine_events.DialogAssigned) -> None:
        self._let_go(e.dialog, e.at)
        self._take(e.dialog, e.operator, e.operator_name, e.at)

    def transferred(self, e: engine_events.DialogTransferred) -> None:
        if self._in(e.at):
            self.op(e.from_operator, e.from_name).transfers_out += 1
            self.op(e.to_operator, e.to_name).transfers_in += 1
        self._let_go(e.dialog, e.at)
        self._take(e.dialog, e.to_operator, e.to_name, e.at)

    def requeued(self, e: engine_events.DialogRequeued) -> None:
        self._let_go(e.dialog, e.at)

    def closed_(self, e: engine_events.DialogClosed) -> None:
        if self._in(e.at):
            self.closed += 1
        self._let_go(e.dialog, e.at)

    def message(self, e: engine_events.MessagePosted) -> None:
        held = self.holding.get(e.dialog)
        if (held is None or held.answered or e.author != "operator"
                or e.operator != held.operator):
            return
        held.answered = True
        if held.counted:
            self.op(held.operator).first_response_s.append(max(0.0, e.at - held.since))

    def help(self, e: engine_events.HelpRequested) -> None:
        if self._in(e.at):
            self.op(e.operator).help_requests += 1

    # --- operators -------------------------------------------------------------------

    def _end_status(self, operator: str, at: float) -> None:
        current = self.status.pop(operator, None)
        if current is None:
            return
        status, since = current
        spent = min(at, self.end) - max(since, self.start)
        if spent > 0:
            figures = self.op(operator)
            figures.status_s[status] = figures.status_s.get(status, 0.0) + spent

    def logged_in(self, e: engine_events.OperatorLoggedIn) -> None:
        self._end_status(e.operator, e.at)
        self.names[e.operator] = e.name
        self.status[e.operator] = (e.status, e.at)

    def status_set(self, e: engine_events.StatusSet) -> None:
        self._end_status(e.operator, e.at)
        self.status[e.operator] = (e.status, e.at)

    def logged_out(self, e: engine_events.OperatorLoggedOut) -> None:
        self._end_status(e.operator, e.at)

    def finish(self) -> Report:
        for operator in list(self.status):
            self._end_status(operator, self.now)
        operators = sorted(self.ops.values(), key=lambda o: (o.name.casefold(), o.id))
        total = OperatorFigures("", "Total")
        for figures in operators:
            total.add(figures)
        return Report(self.start, self.end, operators, total, self.opened, self.closed)


_HANDLERS: dict[type[engine_events.Event], Any] = {
    engine_events.DialogOpened: _Folder.opened_,
    engine_events.DialogAssigned: _Folder.assigned,
    engine_events.DialogTransferred: _Folder.transferred,
    engine_events.DialogRequeued: _Folder.requeued,
    engine_events.DialogClosed: _Folder.closed_,
    engine_events.MessagePosted: _Folder.message,
    engine_events.HelpRequested: _Folder.help,
    engine_events.OperatorLoggedIn: _Folder.logged_in,
    engine_events.StatusSet: _Folder.status_set,
    engine_events.OperatorLoggedOut: _Folder.logged_out,
}


EVENT_KINDS: tuple[type[engine_events.Event], ...] = tuple(_HANDLERS)  # what a report reads
_READ_TYPES = frozenset(cls.TYPE for cls in EVENT_KINDS)


def reads(record: Record) -> bool:
    """Whether a report needs ``record`` (decoding the others is skipped: most of a journal
    is messages, and only an operator's can be a first response)."""
    if record.type not in _READ_TYPES:
        return False
    posted = engine_events.MessagePosted.TYPE
    return record.type != posted or record.data.get("author") == "operator"


def report(events: Iterable[engine_events.Event], start: float, end: float, now: float) -> Report:
    """The report of ``[start, end)`` from ``events`` in journal order, read at ``now``.

    Events at or after ``end`` still end what began inside (a first response, a
    handling); operators seen only after the period are left out."""
    if end <= start:
        raise ValueError(f"a report's period must end after it starts: {start} .. {end}")
    folder = _Folder(start, end, now)
    for e in events:
        folder.apply(e)
    return folder.finish()


CSV_HEADER: tuple[str, ...] = (
    "operator", "name", "dialogs",
    "first_response_mean_s", "first_response_median_s",
    "handling_mean_s", "handling_median_s",
    *(f"status_{s}_s" for s in STATUSES),
    "transfers_in", "transfers_out", "help_requests",
)  # fmt: skip


def csv_rows(r: Report) -> list[list[str]]:
    """The header, one row per operator and the team's total row (figures as text)."""

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    def row(o: OperatorFigures) -> list[str]:
        j = o.to_json()
        fr, hd = j["first_response"], j["handling"]
        return [
            o.id or "total", o.name, str(o.dialogs),
            num(fr["mean_s"]), num(fr["median_s"]), num(hd["mean_s"]), num(hd["median_s"]),
            *(num(j["status_s"][s]) for s in STATUSES),
            str(o.transfers_in), str(o.transfers_out), str(o.help_requests),
        ]  # fmt: skip

    return [list(CSV_HEADER), *(row(o) for o in r.operators), row(r.total)]
