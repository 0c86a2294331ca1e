"""Routing: the waiting dialogs in order and the queue's view of operators. Pure.

Theory of operation
-------------------
The queue holds the dialogs that wait, ordered by (-priority, arrival number),
and a view of every logged-in operator built only from the ``Availability``
messages the operators send at each change. It never decides an operator's
capacity: it *offers* a dialog to the best candidate and the operator accepts
or declines (two-phase). Each entry is::

    waiting  --Offer sent-->  offered(op)  --OfferAccepted-->  accepted(op)  --Dequeue--> gone
                 ^                 |
                 +--OfferDeclined--+   (or the Offer came back undeliverable)

A dialog is offered to one operator at a time. Candidates: status takes new
dialogs (Connected) and effective load < capacity, where effective load is the
operator's reported load plus the offers still unanswered; the best is the one
with the fewest dialogs, then the longest since its last assignment, then the
smallest id. ``assign`` walks the waiting entries in order and stops at the
first one with no candidate (candidates are the same for every dialog, so the
order is kept).

What changed is told in batches, without timers: a step that is not a flush
only marks the state ``flush_pending`` (the shell then sends the queue itself
one ``FlushInfo`` through the directory, unless one is already on its way). The
flush, handled after whatever was already in the queue's inbox, tells each
waiting dialog its new position (only when it changed), and the managers and
every operator the queue length and the operators list (only when they
changed). A burst (500 opens, 300 logins) thus costs one broadcast, not one
per message; a quiet queue flushes after each message.

The queue journals nothing: on replay it is rebuilt from the dialogs' events
(queued dialogs) and the operators' states.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine import messages as m
from engine import notices as n
from engine.status import Status


@dataclass(frozen=True)
class Entry:
    dialog: str
    number: int
    priority: int
    offered_to: str | None = None
    accepted: bool = False

    @property
    def key(self) -> tuple[int, int]:
        return (-self.priority, self.number)


@dataclass(frozen=True)
class QueueState:
    entries: tuple[Entry, ...] = ()
    operators: dict[str, m.Availability] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)  # last told
    length_told: int = -1
    operators_told: tuple[dict[str, Any], ...] | None = None
    flush_pending: bool = False  # a FlushInfo is on its way to the queue

    def order(self) -> list[str]:
        return [e.dialog for e in self.entries]


def _replace_entry(s: QueueState, dialog: str, **changes: Any) -> QueueState:
    entries = tuple(
        dataclasses.replace(e, **changes) if e.dialog == dialog else e for e in s.entries
    )
    return dataclasses.replace(s, entries=entries)


def _set_operator(s: QueueState, a: m.Availability | None, op: str) -> QueueState:
    ops = dict(s.operators)
    if a is not None and a.logged_in:
        ops[a.operator] = a
    else:
        ops.pop(op, None)
    return dataclasses.replace(s, operators=ops)


def step(s: QueueState, msg: object) -> tuple[QueueState, tuple[m.Effect, ...]]:
    """Fold one message and assign what can be; a ``FlushInfo`` tells what changed.

    Any other message leaves ``flush_pending`` set: the caller sends a
    ``FlushInfo`` when it was not set before (see ``needs_flush``). A
    ``FlushInfo`` that came back undeliverable flushes too, so the flag can
    never stay set with no flush on its way.
    """
    if isinstance(msg, m.FlushInfo) or (
        isinstance(msg, m.Undeliverable) and isinstance(msg.message, m.FlushInfo)
    ):
        return flush(s)
    s = receive(s, msg)
    s, offers = assign(s)
    if not s.flush_pending:
        s = dataclasses.replace(s, flush_pending=True)
    return s, offers


def needs_flush(before: QueueState, after: QueueState) -> bool:
    """Whether the step from ``before`` to ``after`` must send the queue a ``FlushInfo``."""
    return after.flush_pending and not before.flush_pending


def flush(s: QueueState) -> tuple[QueueState, tuple[m.Effect, ...]]:
    """Tell what changed since the last flush; no flush is pending afterwards."""
    s, told = tell_changes(s)
    return dataclasses.replace(s, flush_pending=False), told


def receive(s: QueueState, msg: object) -> QueueState:
    if isinstance(msg, m.Enqueue):
        if any(e.dialog == msg.dialog for e in s.entries):
            return s
        added = (*s.entries, Entry(msg.dialog, msg.number, msg.priority))
        return dataclasses.replace(s, entries=tuple(sorted(added, key=lambda e: e.key)))
    if isinstance(msg, m.Dequeue):
        kept = tuple(e for e in s.entries if e.dialog != msg.dialog)
        positions = {k: v for k, v in s.positions.items() if k != msg.dialog}
        return dataclasses.replace(s, entries=kept, positions=positions)
    if isinstance(msg, m.Availability):
        return _set_operator(s, msg, msg.operator)
    if isinstance(msg, m.OfferAccepted):
        s = _set_operator(s, msg.availability, msg.availability.operator)
        return _replace_entry(s, msg.dialog, accepted=True)
    if isinstance(msg, m.OfferDeclined):
        if msg.availability is not None:
            s = _set_operator(s, msg.availability, msg.operator)
        return _replace_entry(s, msg.dialog, offered_to=None, accepted=False)
    if isinstance(msg, m.Undeliverable) and isinstance(msg.message, m.Offer):
        if msg.reason != "crashed":
            s = _set_operator(s, None, msg.address.removeprefix("operator:"))
        return _replace_entry(s, msg.message.dialog, offered_to=None, accepted=False)
    return s


def _candidate(s: QueueState) -> str | None:
    unanswered: dict[str, int] = {}
    for e in s.entries:
        if e.offered_to is not None and not e.accepted:
            unanswered[e.offered_to] = unanswered.get(e.offered_to, 0) + 1
    best: tuple[int, float, str] | None = None
    for op, a in s.operators.items():
        load = a.load + unanswered.get(op, 0)
        if not Status(a.status).takes_new_dialogs or load >= a.capacity:
            continue
        key = (load, a.last_assigned_at, op)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def assign(s: QueueState) -> tuple[QueueState, tuple[m.Effect, ...]]:
    offers: list[m.Effect] = []
    for e in s.entries:
        if e.offered_to is not None:
            continue
        op = _candidate(s)
        if op is None:
            break
        s = _replace_entry(s, e.dialog, offered_to=op)
        offers.append(m.Tell(f"operator:{op}", m.Offer(e.dialog)))
    return s, tuple(offers)


def operators_list(s: QueueState) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "id": a.operator,
            "name": a.name,
            "status": a.status,
            "load": a.load,
            "capacity": a.capacity,
        }
        for a in sorted(s.operators.values(), key=lambda a: a.operator)
    )


def tell_changes(s: QueueState) -> tuple[QueueState, tuple[m.Effect, ...]]:
    fx: list[m.Effect] = []
    positions: dict[str, int] = {}
    for i, e in enumerate(s.entries, start=1):
        positions[e.dialog] = i
        if s.positions.get(e.dialog) != i:
            fx.append(m.Tell(f"dialog:{e.dialog}", m.Position(e.dialog, i)))
    length = len(s.entries)
    ops = operators_list(s)
    if length != s.length_told:
        fx.append(m.Deliver((), n.QueueLength(length)))
    if ops != s.operators_told:
        fx.append(m.Deliver((), n.OperatorsChanged(ops)))
    if length != s.length_told or ops != s.operators_told:
        info = m.QueueInfo(length, ops)
        fx += [m.Tell(f"operator:{op}", info) for op in sorted(s.operators)]
    s = dataclasses.replace(s, positions=positions, length_told=length, operators_told=ops)
    return s, tuple(fx)
