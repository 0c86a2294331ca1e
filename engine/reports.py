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
all the operators' samples together. An operator's name is the latest one the events
gave them (a login, a taking, a transfer).
"""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import Record
from frontdesk.engine.report_facts import EVENT_KINDS, ReportFacts
from frontdesk.engine.report_figures import STATUSES, OperatorFigures, Report

__all__ = ["CSV_HEADER", "STATUSES", "OperatorFigures", "Report", "csv_rows", "reads", "report"]

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
    handling); operators seen only after the period are left out. (The server keeps the
    facts folded between reports instead: ``frontdesk.engine.journal_views``.)"""
    facts = ReportFacts()
    for e in events:
        facts.apply(e)
    return facts.report(start, end, now)


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
