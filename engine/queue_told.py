"""What the queue tells: each waiting dialog its position, the watchers the queue length
and the operators list. Pure; the routing machine (``engine/queue_state.py``) runs these
at a flush (``FlushInfo``) and the QueueActor at its pacing timer and for each chunk of a
broadcast (``TellPositions``). Why changes are told in batches, paced and in chunks is
the theory of operation of ``queue_state``; each function here answers the queue's next
state (a value) and the effects.
"""

from __future__ import annotations

from typing import Any

from frontdesk.engine import messages, notices
from frontdesk.engine.notices import Subscriber
from frontdesk.engine.queue_model import POSITIONS_CHUNK, Item, Joined, QueueState

Effects = tuple[messages.Effect, ...]
Step = tuple[QueueState, Effects]
"""What a step answers: the queue's next state and the effects."""


def flush(s: QueueState, now: float = 0.0) -> Step:
    """Tell what changed since the last flush; no flush is pending afterwards."""
    s, told = tell_changes(s, now)
    return (s.but(flush_pending=False) if s.flush_pending else s), told


def tell_positions(s: QueueState, now: float) -> Step:
    """The paced positions, if their time has come (the shell's timer; a flush may
    have told them since, and then ``positions_due`` is set again)."""
    s, fx = _positions(s, now)
    return s, tuple(fx)


def told_now(s: QueueState, subscriber: Subscriber) -> Effects:
    """What a console that starts watching the queue is told: the values last told."""
    subs = (subscriber,)
    fx: list[messages.Effect] = []
    if s.length_told >= 0:
        fx.append(messages.Deliver(subs, notices.QueueLength(s.length_told), False))
    if s.operators_told is not None:
        fx.append(messages.Deliver(subs, notices.OperatorsChanged(s.operators_told), False))
    return tuple(fx)


def operators_list(s: QueueState) -> tuple[dict[str, Any], ...]:
    """The operators as the consoles and managers are told them (by id)."""
    if s._ops_list is not None:
        return s._ops_list
    return tuple(
        {"id": a.operator, "name": a.name, "status": a.status, "load": a.load,
         "capacity": a.capacity}
        for a in sorted(s.operators.values(), key=lambda a: a.operator)
    )


def _joined_oldest_first(joined: Joined) -> list[str]:
    out: list[str] = []
    while joined is not None:
        dialog, joined = joined
        out.append(dialog)
    out.reverse()
    return out


def _positions(s: QueueState, now: float) -> tuple[QueueState, list[messages.Effect]]:
    """Each waiting dialog whose position changed, if their time has come; else only
    the ones that joined (``positions_due`` then says when the rest will be told)."""
    fx: list[messages.Effect] = []
    fresh = _joined_oldest_first(s._joined)
    end = len(s._order)
    if s._dirty_from >= end:  # nothing left to tell (the rest may have left)
        # positions_due None: else a due time in the past re-arms the timer for ever
        return s.but(_joined=None, _dirty_from=end, positions_more=False,
                        positions_due=None), fx
    items = s._items.mutate()
    if s.positions_more or now >= s.positions_at + s.position_interval_s:
        i = s._dirty_from
        for key in s._order.iter_from(i):
            if len(fx) >= POSITIONS_CHUNK:
                break
            dialog = key[3]
            i += 1
            item = items[dialog]
            if item.told != i:
                items[dialog] = Item(item.key, item.offered_to, item.accepted, i)
                fx.append(messages.Tell(f"dialog:{dialog}",
                                        messages.Position(dialog, i, s.waits.estimate(i))))
        at = now if fx and not s.positions_more else s.positions_at  # nothing told: no interval
        return s.but(_items=items.finish(), _joined=None, _dirty_from=i,
                        positions_at=at, positions_more=i < end, positions_due=None), fx
    for dialog in fresh:
        joined = items.get(dialog)
        if joined is not None and joined.told == 0:
            pos = s._order.index(joined.key) + 1
            items[dialog] = Item(joined.key, joined.offered_to, joined.accepted, pos)
            fx.append(messages.Tell(f"dialog:{dialog}",
                                    messages.Position(dialog, pos, s.waits.estimate(pos))))
    return s.but(_items=items.finish(), _joined=None,
                    positions_due=s.positions_at + s.position_interval_s), fx


def tell_changes(s: QueueState, now: float = 0.0) -> Step:
    s, fx = _positions(s, now)
    length = len(s._order)
    ops = operators_list(s)
    # to the queue's watchers (every operator console) and the managers, once each
    if length != s.length_told:
        fx.append(messages.Publish(notices.QueueLength(length)))
    if ops != s.operators_told:
        fx.append(messages.Publish(notices.OperatorsChanged(ops)))
    return s.but(length_told=length, operators_told=ops, _ops_list=ops), tuple(fx)
