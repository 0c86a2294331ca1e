"""The manager view's live figures, computed in one place from the engine's state.

``DayTally`` is what the state of the moment cannot tell: how many dialogs were opened
and closed today, how many each operator took today (assigned or transferred to them) and
how long each spent in each status today. It is folded from the journal's events by the
``Fold`` (``frontdesk.engine.replay``), so a node rebuilt from its journal, a standby and a
checkpoint all count the same. A day is a UTC day (``day_of``): the tally starts afresh
with the first event of a new day, and a reading on a day with no event yet is all zeros.

``figures(fold, now)`` is the whole set, read at ``now`` (the engine's clock): operators
online and their count by status; per operator its status, time in it, time in each status
today, load against capacity and dialogs today; dialogs open, waiting (the visitor waits
for an answer: ``DialogState.waiting_s`` above 0), the longest wait, the queue's length,
dialogs opened and closed today and help requests waiting. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from frontdesk.engine import events
from frontdesk.engine.dialog_model import Phase

if TYPE_CHECKING:
    from frontdesk.engine.operator_model import OperatorState
    from frontdesk.engine.replay import Fold

DAY_S = 86_400.0


def day_of(at: float) -> int:
    """The UTC day of wall-clock seconds ``at`` (days since the epoch)."""
    return int(at // DAY_S)


@dataclass
class OperatorDay:
    """One operator's day: dialogs taken and seconds spent in each status, intervals ended."""

    dialogs: int = 0
    status_s: dict[str, float] = field(default_factory=dict)


@dataclass
class DayTally:
    day: int = -1
    opened: int = 0
    closed: int = 0
    operators: dict[str, OperatorDay] = field(default_factory=dict)

    @property
    def start(self) -> float:
        return self.day * DAY_S

    def _today(self, at: float) -> bool:
        """Roll over to ``at``'s day if it is a later one; False for an earlier day's event
        (a clock that went back: it is not counted into today)."""
        day = day_of(at)
        if day > self.day:
            self.day, self.opened, self.closed, self.operators = day, 0, 0, {}
        return day == self.day

    def _op(self, operator: str) -> OperatorDay:
        return self.operators.setdefault(operator, OperatorDay())

    def apply(self, e: events.Event, before: OperatorState | None) -> None:
        """Count ``e``; ``before`` is its operator's state before it (operator events)."""
        if not self._today(e.at):
            return
        if isinstance(e, events.DialogOpened):
            self.opened += 1
        elif isinstance(e, events.DialogClosed):
            self.closed += 1
        elif isinstance(e, events.DialogAssigned):
            self._op(e.operator).dialogs += 1
        elif isinstance(e, events.DialogTransferred):
            self._op(e.to_operator).dialogs += 1
        elif isinstance(e, events.StatusSet | events.OperatorLoggedOut) and before is not None:
            self._end_status(before, e.at)
        elif isinstance(e, events.OperatorLoggedIn):
            self._op(e.operator)

    def _end_status(self, op: OperatorState, at: float) -> None:
        """The interval of ``op``'s current status ends at ``at``: its part of today counts."""
        spent = at - max(op.status_since, self.start)
        if spent > 0:
            day = self._op(op.id)
            day.status_s[op.status.value] = day.status_s.get(op.status.value, 0.0) + spent

    def status_today(self, op: OperatorState, now: float) -> dict[str, float]:
        """Seconds ``op`` spent today in each status, the current one up to ``now``."""
        day_start = day_of(now) * DAY_S
        ended = self.operators.get(op.id) if day_of(now) == self.day else None
        out = dict(ended.status_s) if ended is not None else {}
        current = now - max(op.status_since, day_start)
        if current > 0:
            out[op.status.value] = out.get(op.status.value, 0.0) + current
        return out

    def dialogs_today(self, operator: str, now: float) -> int:
        if day_of(now) != self.day:
            return 0
        day = self.operators.get(operator)
        return day.dialogs if day is not None else 0


def no_figures() -> dict[str, Any]:
    """The figures of a node with no engine (a standby): nothing online, nothing open."""
    return {
        "at": 0.0, "day_start": 0.0, "operators_online": 0, "operators_by_status": {},
        "operators": [], "dialogs_open": 0, "dialogs_waiting": 0, "longest_wait_s": 0.0,
        "queue_length": 0, "dialogs_today": 0, "closed_today": 0, "help_requests": 0,
    }  # fmt: skip


def figures(fold: Fold, now: float) -> dict[str, Any]:
    """The live figures of ``fold`` at ``now`` (see the module's docstring)."""
    tally = fold.day
    today = day_of(now) == tally.day
    operators = []
    by_status: dict[str, int] = {}
    for o in sorted(fold.operators.values(), key=lambda o: o.id):
        by_status[o.status.value] = by_status.get(o.status.value, 0) + 1
        operators.append({
            "id": o.id,
            "name": o.name,
            "status": o.status.value,
            "time_in_status_s": max(0.0, now - o.status_since),
            "status_today_s": tally.status_today(o, now),
            "load": len(o.held),
            "capacity": o.capacity,
            "dialogs_today": tally.dialogs_today(o.id, now),
        })
    waits = [d.waiting_s(now) for d in fold.dialogs.values()]
    waiting = [w for w in waits if w > 0]
    return {
        "at": now,
        "day_start": day_of(now) * DAY_S,
        "operators_online": len(operators),
        "operators_by_status": by_status,
        "operators": operators,
        "dialogs_open": len(fold.dialogs),
        "dialogs_waiting": len(waiting),
        "longest_wait_s": max(waiting, default=0.0),
        "queue_length": sum(1 for d in fold.dialogs.values() if d.phase is Phase.QUEUED),
        "dialogs_today": tally.opened if today else 0,
        "closed_today": tally.closed if today else 0,
        # waiting: asked and not yet acknowledged by a manager
        "help_requests": sum(1 for d in fold.dialogs.values()
                             if d.help_request is not None and "acked_by" not in d.help_request),
    }
