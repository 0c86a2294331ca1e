"""The reference fold of a report: every event read again for one period.

This is how ``GET /api/reports`` was computed until the read model
(``frontdesk.engine.report_facts``) replaced it: a fold of the whole journal per
request. It is kept, unchanged in what it counts, as the reference the read model is
checked against (``tests/engine/test_report_facts.py``, random journals and periods) and
as the "before" of ``python -m bench.report_cost``. Not used by the server.

An operator's name is the latest one seen in the events (a login, a taking, a transfer);
before the read model it was the one current at the operator's last counted figure,
which depended on the period asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from frontdesk.engine import events as engine_events
from frontdesk.engine.report_figures import OperatorFigures, Report


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
        for operator, name in ((e.from_operator, e.from_name), (e.to_operator, e.to_name)):
            if name:
                self.names[operator] = name
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
        for figures in self.ops.values():  # the latest name seen, in or after the period
            figures.name = self.names.get(figures.id, figures.id)
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


def reference_report(
    events: Iterable[engine_events.Event], start: float, end: float, now: float
) -> Report:
    """The report of ``[start, end)`` from ``events`` in journal order, read at ``now``,
    folded the old way (every event, this period only)."""
    if end <= start:
        raise ValueError(f"a report's period must end after it starts: {start} .. {end}")
    folder = _Folder(start, end, now)
    for e in events:
        folder.apply(e)
    return folder.finish()
