"""Routing: the waiting dialogs in order and the queue's view of operators. Pure.

Theory of operation
-------------------
The queue holds the dialogs that wait, ordered by (-priority, arrival number),
behind the requeued ones (their operator vanished: ``Enqueue(head=True)`` puts
them back at the head, among themselves in the same order),
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
every operator console (the queue's watchers: a console watches the queue once
its operator's state burst is out, ``WatchQueue``) the queue length and the
operators list (only when they changed), one delivery for all of them. A
burst (500 opens, 300 logins) thus costs one broadcast, not one per message;
a quiet queue flushes after each message.

Positions are also paced in time (``position_interval_s``, from the engine's
settings; 0 = at every flush): when the head of a queue of N leaves, N
dialogs are told, so a queue whose head leaves every few milliseconds would
spend the engine on positions, ahead of the assignments themselves. The
first change after a quiet interval is told at the flush (leading edge);
changes within the interval are told together when it ends (``positions_due``:
the shell arms a timer and calls ``tell_positions``). A dialog that joins is
told its first position at the flush all the same: only changes wait.

A broadcast goes out in chunks of ``POSITIONS_CHUNK`` (``positions_more``: the
shell sends the queue a ``TellPositions`` for the next one). Each position is
a message to a dialog actor, and they run on the engine's thread in the order
they were sent: told all at once, 10,000 waiting dialogs would hold every
message sent after them (an operator's close, the next assignment) behind
10,000 others. In chunks, what arrives meanwhile waits behind one chunk.

The queue journals nothing: on replay it is rebuilt from the dialogs' events
(queued dialogs) and the operators' states.

The machine is one table, ``TRANSITIONS``: ``(phase, message) -> handler``
(``engine/transitions.py``; the queue has one phase, ``routing``). A handler takes
the state and the message and answers the next state and the effects; the state
it was given is left as it was (``QueueState`` is a frozen value). Every
message but a flush is followed by ``assign`` and marks a flush pending. An
unknown message raises ``TransitionError`` naming it, the phase and the queue::

    message                     next state                          effects
    --------------------------  ----------------------------------  --------------------------
    Enqueue(d)                  d waits, in its place                Offer -> best operator
    Dequeue(d, waited_s)        d gone; its wait learnt if assigned  Offer (the next ones)
    Availability(op)            the view of op (logged out: gone)    Offer
    OfferAccepted(d, av)        d accepted (waits for its Dequeue)   Offer
    OfferDeclined(d, op, av)    d waits again, in its place          Offer; a take-over's
                                                                     refusal -> manager
    DirectedOffer(d, op)        d offered to op out of turn          Offer -> op, or the
                                                                     refusal -> manager
    Undeliverable(Offer)        d waits again; op forgotten          Offer; refusal
    Undeliverable(FlushInfo)    as FlushInfo                         (as FlushInfo)
    Undeliverable(other)        (same)                               Offer
    FlushInfo                   no flush pending; what was told      Position -> dialogs,
                                                                     QueueLength, Operators-
                                                                     Changed -> watchers

(``WatchQueue``, ``TellPositions`` and the pacing ``Tick`` are the shell's:
``engine/queue_actor.py``.)

Cost: a node holds thousands of waiting dialogs, so no step walks or copies
the queue. The waiting entries are a persistent sorted set (insert, remove and
rank in O(log n), sharing all but one path with the state before:
``engine/sorted_keys.py``), the ones not yet offered a second one (what
``assign`` takes from), the dialogs by id a persistent map (``immutables.Map``),
the unanswered offers a small count per operator, and a flush only looks at the
entries from the first one whose position may have changed (a dialog joining
at the tail costs one position, not the queue's length). Reading ``entries``
builds a snapshot of the whole queue: for tests and inspection, not for the
hot path. ``python -m bench.queue_cost`` measures it. What is told (positions,
length, operators) is ``engine/queue_told.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from frontdesk.engine import messages, notices
from frontdesk.engine.queue_model import (
    HEAD,
    IN_LINE,
    POSITIONS_CHUNK,
    Entry,
    Item,
    Joined,
    Key,
    QueueState,
)
from frontdesk.engine.queue_told import (
    Effects,
    Step,
    flush,
    operators_list,
    tell_changes,
    tell_positions,
    told_now,
)
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.transitions import Machine

__all__ = [
    "POSITIONS_CHUNK",
    "TABLE",
    "TRANSITIONS",
    "Entry",
    "Key",
    "QueueState",
    "Step",
    "assign",
    "flush",
    "needs_flush",
    "operators_list",
    "step",
    "tell_changes",
    "tell_positions",
    "told_now",
]

QueueHandler = Callable[[QueueState, Any, float, EngineSettings], Step]

_SETTINGS = EngineSettings()  # the queue's own setting is given at construction


def step(s: QueueState, msg: object, now: float = 0.0) -> Step:
    """The next state and the effects of one message: its row of ``TRANSITIONS``
    (``now``: the engine clock's time, for pacing the positions).

    Any message but a flush is followed by ``assign`` and leaves ``flush_pending``
    set: the caller sends a ``FlushInfo`` when it was not set before (see
    ``needs_flush``). A ``FlushInfo`` that came back undeliverable flushes too, so
    the flag can never stay set with no flush on its way.
    """
    return TABLE.decide(s, msg, now, _SETTINGS)


def needs_flush(was_pending: bool, after: QueueState) -> bool:
    """Whether a step must send the queue a ``FlushInfo`` (``was_pending``: the flag
    before the step)."""
    return after.flush_pending and not was_pending


# --- the parts a handler changes, each answering a new state ------------------------------


def _count(counts: Mapping[str, int], op: str, by: int) -> dict[str, int]:
    """``counts`` (operator -> unanswered offers) with ``op``'s changed ``by``; a copy
    (one entry per operator with an offer out: small)."""
    out = dict(counts)
    left = out.get(op, 0) + by
    if left > 0:
        out[op] = left
    else:
        out.pop(op, None)
    return out


def _offered(s: QueueState, item: Item, op: str) -> QueueState:
    """``item`` offered to ``op`` (it is no longer free)."""
    return s.but(_items=s._items.set(item.key[3], Item(item.key, op, False, item.told)),
        _free=s._free.remove(item.key),
        _unanswered=_count(s._unanswered, op, 1),
    )


def _enqueue(s: QueueState, dialog: str, number: int, priority: int, head: bool) -> QueueState:
    if dialog in s._items:
        return s
    key: Key = (HEAD if head else IN_LINE, -priority, number, dialog)
    joined: Joined = (dialog, s._joined)
    return s.but(_items=s._items.set(dialog, Item(key)),
        _order=s._order.add(key),
        _free=s._free.add(key),
        _dirty_from=min(s._dirty_from, s._order.index(key)),
        _joined=joined,
    )


def _dequeue(s: QueueState, dialog: str, waited_s: float | None) -> QueueState:
    item = s._items.get(dialog)
    if item is None:
        return s
    unanswered = s._unanswered
    if item.offered_to is not None and not item.accepted:
        unanswered = _count(unanswered, item.offered_to, -1)
    return s.but(_items=s._items.delete(dialog),
        _order=s._order.remove(item.key),
        _free=s._free.remove(item.key) if item.offered_to is None else s._free,
        _unanswered=unanswered,
        _dirty_from=min(s._dirty_from, s._order.index(item.key)),
        waits=s.waits if waited_s is None else s.waits.add(waited_s),  # assigned: learnt
    )


def _accepted(s: QueueState, dialog: str) -> QueueState:
    item = s._items.get(dialog)
    if item is None or item.offered_to is None or item.accepted:
        return s
    return s.but(_items=s._items.set(dialog, Item(item.key, item.offered_to, True, item.told)),
        _unanswered=_count(s._unanswered, item.offered_to, -1),
    )


def _back_in_line(s: QueueState, dialog: str) -> QueueState:
    """The offer of ``dialog`` was declined or never arrived: it waits again, in place."""
    item = s._items.get(dialog)
    if item is None or item.offered_to is None:
        return s
    unanswered = s._unanswered
    if not item.accepted:
        unanswered = _count(unanswered, item.offered_to, -1)
    return s.but(_items=s._items.set(dialog, Item(item.key, None, False, item.told)),
        _free=s._free.add(item.key),
        _unanswered=unanswered,
    )


def _operator(s: QueueState, a: messages.Availability | None, op: str) -> QueueState:
    """The view of ``op`` from ``a`` (None or logged out: forgotten); a copy of the
    operators (one entry per logged-in operator: small)."""
    if a is not None and a.logged_in:
        if s.operators.get(a.operator) == a:
            return s
        return s.but(operators={**s.operators, a.operator: a}, _ops_list=None)
    if op not in s.operators:
        return s
    return s.but(operators={k: v for k, v in s.operators.items() if k != op},
                    _ops_list=None)


# --- the handlers: (state, message) -> (state, effects) -----------------------------------


def _refusal(taken: messages.TakenBy, code: str, dialog: str, why: str) -> messages.Reply:
    notice = notices.Rejected(taken.ref, code, f"cannot take over dialog {dialog}: {why}", dialog)
    return messages.Reply(taken.reply_to, notice)


def _on_enqueue(s: QueueState, msg: messages.Enqueue, now: float, cfg: EngineSettings) -> Step:
    return _enqueue(s, msg.dialog, msg.number, msg.priority, msg.head), ()


def _on_dequeue(s: QueueState, msg: messages.Dequeue, now: float, cfg: EngineSettings) -> Step:
    return _dequeue(s, msg.dialog, msg.waited_s), ()


def _on_availability(
    s: QueueState, msg: messages.Availability, now: float, cfg: EngineSettings
) -> Step:
    return _operator(s, msg, msg.operator), ()


def _on_accepted(s: QueueState, msg: messages.OfferAccepted, now: float,
                 cfg: EngineSettings) -> Step:
    return _accepted(_operator(s, msg.availability, msg.availability.operator), msg.dialog), ()


def _on_declined(s: QueueState, msg: messages.OfferDeclined, now: float,
                 cfg: EngineSettings) -> Step:
    """Back in line; a take-over's offer declined: the manager is told why."""
    if msg.availability is not None:
        s = _operator(s, msg.availability, msg.operator)
    answer: Effects = ()
    if msg.taken is not None:
        answer = (_refusal(msg.taken, "at_capacity", msg.dialog, msg.reason),)
    return _back_in_line(s, msg.dialog), answer


def _on_directed_offer(
    s: QueueState, msg: messages.DirectedOffer, now: float, cfg: EngineSettings
) -> Step:
    """A take-over of a waiting dialog: offered to ``msg.operator`` at once, out of turn,
    if the queue's view has them logged in with room (the operator still decides); else
    the manager is answered why not."""
    item, op = s._items.get(msg.dialog), msg.operator
    if item is None or item.accepted:
        return s, (_refusal(msg.taken, "invalid", msg.dialog, "it is no longer in the queue"),)
    if item.offered_to is not None:
        why = f"it is being offered to {item.offered_to} right now; try again"
        return s, (_refusal(msg.taken, "invalid", msg.dialog, why),)
    a = s.operators.get(op)
    if a is None:
        return s, (_refusal(msg.taken, "unknown_operator", msg.dialog, f"{op} is not logged in"),)
    load = a.load + s._unanswered.get(op, 0)
    if load >= a.capacity:
        why = f"{op} has no room ({load} of {a.capacity} dialogs)"
        return s, (_refusal(msg.taken, "at_capacity", msg.dialog, why),)
    return _offered(s, item, op), (
        messages.Tell(f"operator:{op}", messages.Offer(msg.dialog, msg.taken)),
    )


def _on_undeliverable(
    s: QueueState, msg: messages.Undeliverable, now: float, cfg: EngineSettings
) -> Step:
    """An offer that bounced puts its dialog back in line (its operator forgotten, unless
    it crashed; a take-over's manager told); a position told to a dialog that is gone
    changes nothing."""
    offer = msg.message
    if not isinstance(offer, messages.Offer):
        return s, ()
    op = msg.address.removeprefix("operator:")
    if msg.reason != "crashed":
        s = _operator(s, None, op)
    answer: Effects = ()
    if offer.taken is not None:
        answer = (_refusal(offer.taken, "unknown_operator", offer.dialog,
                           f"{op} is not logged in"),)
    return _back_in_line(s, offer.dialog), answer


def _routed(handle: QueueHandler) -> QueueHandler:
    """A handler of a change: then ``assign``, and a flush is pending."""

    def handler(s: QueueState, msg: Any, now: float, cfg: EngineSettings) -> Step:
        s, answer = handle(s, msg, now, cfg)
        s, offers = assign(s)
        if not s.flush_pending:
            s = s.but(flush_pending=True)
        return s, (*answer, *offers)

    return handler


def _on_flush(s: QueueState, msg: object, now: float, cfg: EngineSettings) -> Step:
    return flush(s, now)


_on_bounced = _routed(_on_undeliverable)


def _on_undeliverable_or_flush(
    s: QueueState, msg: messages.Undeliverable, now: float, cfg: EngineSettings
) -> Step:
    if isinstance(msg.message, messages.FlushInfo):  # flushed all the same: see ``step``
        return flush(s, now)
    return _on_bounced(s, msg, now, cfg)


class Phase(Enum):
    """The queue has one phase: its table is keyed by the message alone."""

    ROUTING = "routing"


R = Phase.ROUTING

TRANSITIONS: dict[tuple[Phase, type[Any]], QueueHandler] = {
    (R, messages.Enqueue): _routed(_on_enqueue),
    (R, messages.Dequeue): _routed(_on_dequeue),
    (R, messages.Availability): _routed(_on_availability),
    (R, messages.OfferAccepted): _routed(_on_accepted),
    (R, messages.OfferDeclined): _routed(_on_declined),
    (R, messages.DirectedOffer): _routed(_on_directed_offer),
    (R, messages.Undeliverable): _on_undeliverable_or_flush,
    (R, messages.FlushInfo): _on_flush,
}


def _unchanged(s: QueueState) -> Step:
    return s, ()


TABLE: Machine[QueueState, Step] = Machine(
    "queue", lambda s: R, lambda s: "queue", TRANSITIONS, unchanged=_unchanged
)


# --- routing ---------------------------------------------------------------------------


def _candidate(s: QueueState) -> str | None:
    best: tuple[int, float, str] | None = None
    unanswered = s._unanswered
    for op, a in s.operators.items():
        load = a.load + unanswered.get(op, 0)
        if load >= a.capacity or not Status(a.status).takes_new_dialogs:
            continue
        key = (load, a.last_assigned_at, op)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def assign(s: QueueState) -> Step:
    """Offer the waiting dialogs, in order, while someone can take one."""
    offers: list[messages.Effect] = []
    while s._free:
        op = _candidate(s)
        if op is None:
            break
        key = s._free.first()
        assert key is not None
        s = _offered(s, s._items[key[3]], op)
        offers.append(messages.Tell(f"operator:{op}", messages.Offer(key[3])))
    return s, tuple(offers)
