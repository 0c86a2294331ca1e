"""The audit list: every step-in of a manager (and each help request's end), read from the
journal. Pure: records in, entries out; no clock, no I/O.

A step-in is an internal message of a manager (``dialog.internal``, ``operator.internal``),
a manager's message to the visitor (``dialog.message`` of author ``manager``), a take-over
(``dialog.take_over``, journaled when asked: the move itself is the ``dialog.transferred``
that follows), a help request acknowledged (``dialog.help_acked``) or resolved
(``dialog.help_resolved``, by a manager or the holder). Each entry says who (``by``, their
login, and ``name``), what (``action``, the ``dialog`` or ``operator`` concerned, ``text``)
and when (``at``, the event's time), and its journal ``seq``.

``AuditTrail`` keeps the entries folded so far, so the server folds only the records
appended since its last answer (``frontdesk.engine.journal_views``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from frontdesk.engine.journal import Record

ACTIONS = ("internal", "say", "take_over", "help_ack", "help_resolve", "operator_internal")


def audit_entry(r: Record) -> dict[str, Any] | None:
    """The audit entry of one journal record, or None if it is no step-in."""
    d = r.data
    dialog = r.stream.removeprefix("dialog:") if r.stream.startswith("dialog:") else None

    def entry(action: str, by: Any, name: Any, **more: Any) -> dict[str, Any]:
        return {"seq": r.seq, "at": r.at, "action": action, "by": by, "name": name or by,
                "dialog": dialog, **more}

    if r.type == "dialog.internal" and d.get("author") == "manager":
        return entry("internal", d.get("author_id"), d.get("name"), text=d.get("text", ""))
    if r.type == "dialog.message" and d.get("author") == "manager":
        return entry("say", d.get("operator"), d.get("name"),
                     text=d.get("plain") or d.get("text", ""))
    if r.type == "dialog.take_over":
        return entry("take_over", d.get("manager"), d.get("name"), to=d.get("to"),
                     text=d.get("note", ""))
    if r.type == "dialog.help_acked":
        return entry("help_ack", d.get("manager"), d.get("name"), text="")
    if r.type == "dialog.help_resolved":
        return entry("help_resolve", d.get("author_id"), d.get("name"), role=d.get("author"),
                     text=d.get("text", ""))
    if r.type == "operator.internal" and d.get("author") == "manager":
        return {"seq": r.seq, "at": r.at, "action": "operator_internal",
                "by": d.get("author_id"), "name": d.get("name") or d.get("author_id"),
                "dialog": None, "operator": d.get("operator"), "text": d.get("text", "")}
    return None


class AuditTrail:
    """The step-ins folded so far: ``apply`` each record in journal order, ``entries``
    of any time range at any time. Holds one entry per step-in (not per message)."""

    def __init__(self) -> None:
        self._found: list[dict[str, Any]] = []

    def apply(self, r: Record) -> None:
        if r.type in _TYPES:
            e = audit_entry(r)
            if e is not None:
                self._found.append(e)

    def entries(self, since: float | None = None,
                until: float | None = None) -> list[dict[str, Any]]:
        """The step-ins with ``since <= at < until`` (either bound optional), newest first,
        as fresh dicts."""
        found = [dict(e) for e in self._found
                 if (since is None or e["at"] >= since) and (until is None or e["at"] < until)]
        found.sort(key=lambda e: (e["at"], e["seq"]), reverse=True)
        return found

    def __len__(self) -> int:
        return len(self._found)


_TYPES = frozenset({"dialog.internal", "dialog.message", "dialog.take_over", "dialog.help_acked",
                    "dialog.help_resolved", "operator.internal"})


def audit(
    records: Iterable[Record], since: float | None = None, until: float | None = None
) -> list[dict[str, Any]]:
    """The step-ins among ``records`` with ``since <= at < until`` (either bound optional),
    newest first."""
    trail = AuditTrail()
    for r in records:
        trail.apply(r)
    return trail.entries(since, until)
