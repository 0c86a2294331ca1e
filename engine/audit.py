"""The audit list: every step-in of a manager (and each help request's end), read from the
journal. Pure: records in, entries out; no clock, no I/O.

A step-in is an internal message of a manager (``dialog.internal``, ``operator.internal``),
a manager's message to the visitor (``dialog.message`` of author ``manager``), a take-over
(``dialog.take_over``, journaled when asked: the move itself is the ``dialog.transferred``
that follows), a help request acknowledged (``dialog.help_acked``) or resolved
(``dialog.help_resolved``, by a manager or the holder). Each entry says who (``by``, their
login, and ``name``), what (``action``, the ``dialog`` or ``operator`` concerned, ``text``)
and when (``at``, the event's time), and its journal ``seq``.
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


def audit(
    records: Iterable[Record], since: float | None = None, until: float | None = None
) -> list[dict[str, Any]]:
    """The step-ins among ``records`` with ``since <= at < until`` (either bound optional),
    newest first."""
    found = []
    for r in records:
        if (since is not None and r.at < since) or (until is not None and r.at >= until):
            continue
        e = audit_entry(r)
        if e is not None:
            found.append(e)
    found.sort(key=lambda e: (e["at"], e["seq"]), reverse=True)
    return found
