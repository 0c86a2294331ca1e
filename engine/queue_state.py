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

Cost: a node holds thousands of waiting dialogs, so no step walks the queue.
``QueueState`` is mutable: ``step`` updates it in place and returns it. The
waiting entries are a list sorted by key (insert and remove by bisection), the
ones not yet offered a second sorted list (what ``assign`` takes from), the
unanswered offers a count per operator, and a flush only looks at the entries
from the first one whose position may have changed (a dialog joining at the
tail costs one position, not the queue's length). Reading ``entries`` builds
a snapshot of the whole queue: for tests and inspection, not for the hot path.
"""

from __future__ import annotations

import bisect
from enum import Enum
from typing import Any

from frontdesk.engine import messages, notices
from frontdesk.engine.notices import Subscriber
from frontdesk.engine.queue_model import POSITIONS_CHUNK, Entry, Key, QueueState

__all__ = [
    "POSITIONS_CHUNK",
    "TRANSITIONS",
    "Entry",
    "Key",
    "QueueState",
    "assign",
    "flush",
    "needs_flush",
    "operators_list",
    "receive",
    "step",
    "tell_changes",
    "tell_positions",
    "told_now",
]
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.transitions import Handler, Table


def step(
    s: QueueState, msg: object, now: float = 0.0
) -> tuple[QueueState, tuple[messages.Effect, ...]]:
    """Fold one message and assign what can be; a ``FlushInfo`` tells what changed
    (``now``: the engine clock's time, for pacing the positions).

    Any other message leaves ``flush_pending`` set: the caller sends a
    ``FlushInfo`` when it was not set before (see ``needs_flush``). A
    ``FlushInfo`` that came back undeliverable flushes too, so the flag can
    never stay set with no flush on its way.
    """
    if isinstance(msg, messages.FlushInfo) or (
        isinstance(msg, messages.Undeliverable) and isinstance(msg.message, messages.FlushInfo)
    ):
        return flush(s, now)
    if isinstance(msg, messages.DirectedOffer):
        answer: tuple[messages.Effect, ...] = directed_offer(s, msg)
    else:
        answer = _take_over_refused(msg)
        s = receive(s, msg)
    s, offers = assign(s)
    s.flush_pending = True
    return s, (*answer, *offers)


def _refusal(taken: messages.TakenBy, code: str, dialog: str, why: str) -> messages.Reply:
    notice = notices.Rejected(taken.ref, code, f"cannot take over dialog {dialog}: {why}", dialog)
    return messages.Reply(taken.reply_to, notice)


def directed_offer(s: QueueState, msg: messages.DirectedOffer) -> tuple[messages.Effect, ...]:
    """A take-over of a waiting dialog: offered to ``msg.operator`` at once, out of turn,
    if the queue's view has them logged in with room (the operator still decides); else
    the manager is answered why not."""
    item, op = s._items.get(msg.dialog), msg.operator
    if item is None or item.accepted:
        return (_refusal(msg.taken, "invalid", msg.dialog, "it is no longer in the queue"),)
    if item.offered_to is not None:
        why = f"it is being offered to {item.offered_to} right now; try again"
        return (_refusal(msg.taken, "invalid", msg.dialog, why),)
    a = s.operators.get(op)
    if a is None:
        return (_refusal(msg.taken, "unknown_operator", msg.dialog, f"{op} is not logged in"),)
    load = a.load + s._unanswered.get(op, 0)
    if load >= a.capacity:
        why = f"{op} has no room ({load} of {a.capacity} dialogs)"
        return (_refusal(msg.taken, "at_capacity", msg.dialog, why),)
    s._unfree(item.key)
    s._offer(item, op)
    return (messages.Tell(f"operator:{op}", messages.Offer(msg.dialog, msg.taken)),)


def _take_over_refused(msg: object) -> tuple[messages.Effect, ...]:
    """The manager's answer when the operator declined a take-over's offer, or it bounced."""
    if isinstance(msg, messages.OfferDeclined) and msg.taken is not None:
        return (_refusal(msg.taken, "at_capacity", msg.dialog, msg.reason),)
    if isinstance(msg, messages.Undeliverable) and isinstance(msg.message, messages.Offer):
        offer = msg.message
        if offer.taken is not None:
            op = msg.address.removeprefix("operator:")
            return (_refusal(offer.taken, "unknown_operator", offer.dialog,
                             f"{op} is not logged in"),)
    return ()


def needs_flush(was_pending: bool, after: QueueState) -> bool:
    """Whether a step must send the queue a ``FlushInfo`` (``was_pending``: the flag
    before the step)."""
    return after.flush_pending and not was_pending


def flush(s: QueueState, now: float = 0.0) -> tuple[QueueState, tuple[messages.Effect, ...]]:
    """Tell what changed since the last flush; no flush is pending afterwards."""
    s, told = tell_changes(s, now)
    s.flush_pending = False
    return s, told


def tell_positions(s: QueueState, now: float) -> tuple[QueueState, tuple[messages.Effect, ...]]:
    """The paced positions, if their time has come (the shell's timer; a flush may
    have told them since, and then ``positions_due`` is set again)."""
    return s, tuple(_positions(s, now))


def _enqueue(s: QueueState, msg: messages.Enqueue, now: float,
             cfg: EngineSettings) -> messages.Decision:
    s._enqueue(msg.dialog, msg.number, msg.priority, msg.head)
    return _CHANGED


def _dequeue(s: QueueState, msg: messages.Dequeue, now: float,
             cfg: EngineSettings) -> messages.Decision:
    if msg.waited_s is not None and msg.dialog in s._items:  # assigned: a wait to learn from
        s.waits.add(msg.waited_s)
    s._dequeue(msg.dialog)
    return _CHANGED


def _availability(
    s: QueueState, msg: messages.Availability, now: float, cfg: EngineSettings
) -> messages.Decision:
    s._set_operator(msg, msg.operator)
    return _CHANGED


def _accepted(s: QueueState, msg: messages.OfferAccepted, now: float,
              cfg: EngineSettings) -> messages.Decision:
    s._set_operator(msg.availability, msg.availability.operator)
    s._accepted(msg.dialog)
    return _CHANGED


def _declined(s: QueueState, msg: messages.OfferDeclined, now: float,
              cfg: EngineSettings) -> messages.Decision:
    if msg.availability is not None:
        s._set_operator(msg.availability, msg.operator)
    s._back_in_line(msg.dialog)
    return _CHANGED


def _undeliverable(
    s: QueueState, msg: messages.Undeliverable, now: float, cfg: EngineSettings
) -> messages.Decision:
    """An offer that bounced puts its dialog back in line; a position told to a dialog
    that is gone changes nothing."""
    if isinstance(msg.message, messages.Offer):
        if msg.reason != "crashed":
            s._set_operator(None, msg.address.removeprefix("operator:"))
        s._back_in_line(msg.message.dialog)
    return _CHANGED


class Phase(Enum):
    """The queue has one phase: its table is keyed by the message alone."""

    ROUTING = "routing"


_CHANGED = messages.Decision()  # the handlers change the state in place (see the docstring)
_SETTINGS = EngineSettings()  # the queue's own setting is given at construction
R = Phase.ROUTING

TRANSITIONS: dict[tuple[Phase, type[Any]], Handler[QueueState]] = {
    (R, messages.Enqueue): _enqueue,
    (R, messages.Dequeue): _dequeue,
    (R, messages.Availability): _availability,
    (R, messages.OfferAccepted): _accepted,
    (R, messages.OfferDeclined): _declined,
    (R, messages.Undeliverable): _undeliverable,
}

TABLE: Table[QueueState] = Table("queue", lambda s: R, lambda s: "queue", TRANSITIONS)


def receive(s: QueueState, msg: object) -> QueueState:
    """Fold one message into the queue: its row of ``TRANSITIONS`` (an unknown message
    raises ``TransitionError``, ``engine/transitions.py``)."""
    TABLE.decide(s, msg, 0.0, _SETTINGS)
    return s


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


def assign(s: QueueState) -> tuple[QueueState, tuple[messages.Effect, ...]]:
    """Offer the waiting dialogs, in order, while someone can take one."""
    offers: list[messages.Effect] = []
    while s._free:
        op = _candidate(s)
        if op is None:
            break
        key = s._free.pop(0)
        s._offer(s._items[key[3]], op)
        offers.append(messages.Tell(f"operator:{op}", messages.Offer(key[3])))
    return s, tuple(offers)


def told_now(s: QueueState, subscriber: Subscriber) -> tuple[messages.Effect, ...]:
    """What a console that starts watching the queue is told: the values last told."""
    subs = (subscriber,)
    fx: list[messages.Effect] = []
    if s.length_told >= 0:
        fx.append(messages.Deliver(subs, notices.QueueLength(s.length_told), False))
    if s.operators_told is not None:
        fx.append(messages.Deliver(subs, notices.OperatorsChanged(s.operators_told), False))
    return tuple(fx)


def operators_list(s: QueueState) -> tuple[dict[str, Any], ...]:
    if s._ops_list is None:
        s._ops_list = tuple(
            {
                "id": a.operator,
                "name": a.name,
                "status": a.status,
                "load": a.load,
                "capacity": a.capacity,
            }
            for a in sorted(s.operators.values(), key=lambda a: a.operator)
        )
    return s._ops_list


def _positions(s: QueueState, now: float) -> list[messages.Effect]:
    """Each waiting dialog whose position changed, if their time has come; else only
    the ones that joined (``positions_due`` then says when the rest will be told)."""
    fx: list[messages.Effect] = []
    positions = s.positions
    fresh, s._fresh = s._fresh, []
    if s._dirty_from >= len(s._order):  # nothing left to tell (the rest may have left)
        s._dirty_from = len(s._order)
        s.positions_more = False
        s.positions_due = None  # else a due time in the past re-arms the timer for ever
        return fx
    if s.positions_more or now >= s.positions_at + s.position_interval_s:
        order, i, end = s._order, s._dirty_from, len(s._order)
        while i < end and len(fx) < POSITIONS_CHUNK:
            dialog = order[i][3]
            i += 1
            if positions.get(dialog) != i:
                positions[dialog] = i
                fx.append(messages.Tell(f"dialog:{dialog}",
                                        messages.Position(dialog, i, s.waits.estimate(i))))
        s._dirty_from = i
        if fx and not s.positions_more:  # telling nothing starts no interval
            s.positions_at = now
        s.positions_more = i < end
        s.positions_due = None
        return fx
    for dialog in fresh:
        item = s._items.get(dialog)
        if item is not None and dialog not in positions:
            pos = bisect.bisect_left(s._order, item.key) + 1
            positions[dialog] = pos
            fx.append(messages.Tell(f"dialog:{dialog}",
                                    messages.Position(dialog, pos, s.waits.estimate(pos))))
    s.positions_due = s.positions_at + s.position_interval_s
    return fx


def tell_changes(s: QueueState, now: float = 0.0) -> tuple[QueueState, tuple[messages.Effect, ...]]:
    fx = _positions(s, now)
    length = len(s._order)
    ops = operators_list(s)
    # to the queue's watchers (every operator console) and the managers, once each
    if length != s.length_told:
        fx.append(messages.Publish(notices.QueueLength(length)))
    if ops != s.operators_told:
        fx.append(messages.Publish(notices.OperatorsChanged(ops)))
    s.length_told = length
    s.operators_told = ops
    return s, tuple(fx)
