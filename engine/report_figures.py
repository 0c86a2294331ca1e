"""A report's figures: per operator and for the team, with their JSON form.

Made by ``frontdesk.engine.report_facts`` (and by the reference fold kept in
``frontdesk.engine.testing.report_reference``); ``frontdesk.engine.reports`` says what
each figure counts.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

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
