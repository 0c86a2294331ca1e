"""Whether a visitor can start a chat now: the opening hours and an operator taking dialogs.

``availability`` is a plain function of the hours, the engine snapshot's operators and the
instant, so its answer is tested without a server; ``GET /api/availability`` serves it and
the widget shows the offline form when ``open`` is false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from frontdesk.config.hours import OpeningHours
from frontdesk.engine.status import Status


def operator_takes_dialogs(operator: Mapping[str, Any]) -> bool:
    """Connected (the one status that takes dialogs) with a free slot."""
    try:
        status = Status(operator.get("status"))
    except ValueError:
        return False
    return status.takes_new_dialogs and int(operator.get("load", 0)) < int(
        operator.get("capacity", 0))


def availability(hours: OpeningHours, operators: Iterable[Mapping[str, Any]], now: float,
                 *, need_operator: bool = True) -> dict[str, Any]:
    """``open``: within the hours and (``need_operator``) some operator takes dialogs;
    ``reason`` when not
    (``closed``: outside the hours, ``no_operator``: nobody takes dialogs); ``next_opening``
    (POSIX seconds, and ``next_opening_local`` on the hours' wall clock) when the hours say
    when, else None."""
    in_hours = hours.is_open(now)
    staffed = any(operator_takes_dialogs(o) for o in operators)
    upcoming = None if in_hours else hours.next_opening(now)
    is_open = in_hours and (staffed or not need_operator)
    reason = None if is_open else ("closed" if not in_hours else "no_operator")
    return {
        "open": is_open,
        "reason": reason,
        "in_hours": in_hours,
        "operators_available": staffed,
        "next_opening": upcoming,
        "next_opening_local": None if upcoming is None else hours.local_iso(upcoming),
        "time_zone": hours.zone.key,
    }
