"""The operator's state machine: pure functions, no threads, no I/O.

Theory of operation
-------------------
An operator is logged in (``operator.logged_in``), has one of the seven
statuses with the time it began (``operator.status``), a capacity
(``operator.capacity``), the dialogs it holds and the slots it has reserved
for dialogs on their way (an accepted offer from the queue, an accepted
transfer). Only the operator decides whether it takes one more dialog::

    message            condition                                   answer
    -----------------  ------------------------------------------  -----------------------------
    Offer(d)           status takes dialogs, load < capacity       reserve; Assign -> d;
                                                                   OfferAccepted -> queue
    Offer(d)           otherwise                                   OfferDeclined -> queue
    TransferOffer(d)   logged in, load < capacity (or allowed)     reserve; CompleteTransfer -> d
    TransferOffer(d)   otherwise                                   AbortTransfer -> d
    AssignmentDone(d)  / TransferIn(d)                             reserved -> held; DialogAdded
    ReleaseSlot(d)                                                 unreserve
    DialogReleased(d)                                              held -= d; DialogRemoved
    Transfer (cmd)     to self: invalid; d not held: forbidden     TransferOffer -> receiver
                       (closed if it was closed under us)
    SetStatus          -> Looking for information                  LookingForInfo -> each held d
    Logout                                                         OperatorGone -> held/reserved d
    Login (forwarded)  logged in: Ack; logged out: back to the supervisor (it waits for Retired)

``load`` = held + reserved. Every change of status, capacity or load sends the
queue a fresh ``Availability``: the queue's view of operators is built only
from those. Held dialogs are not journaled on the operator's stream: the
dialogs' own events are the truth, and a restarted operator gets them from
the projection. A ``Memo`` carries such non-journaled changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine import commands as c
from engine import events as ev
from engine import messages as m
from engine import notices as n
from engine.settings import EngineSettings
from engine.status import Status

RECENT_KEPT = 100


@dataclass(frozen=True, kw_only=True)
class Memo(ev.OperatorEvent):
    """Applied to the state, never journaled: ``changes`` are field replacements."""

    TYPE: ClassVar[str] = "memo"
    JOURNALED: ClassVar[bool] = False
    changes: dict[str, Any]


@dataclass(frozen=True)
class OperatorState:
    id: str
    name: str
    capacity: int
    status: Status = Status.CONNECTED
    status_since: float = 0.0
    logged_in: bool = True
    held: dict[str, n.DialogAdded] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()
    last_assigned_at: float = 0.0
    # not journaled
    # transfer id -> (dialog, ref, reply_to) of the transfers this operator started
    pending: dict[str, tuple[str, str | None, n.Subscriber | None]] = field(default_factory=dict)
    recent_closed: tuple[str, ...] = ()
    next_tid: int = 1

    @property
    def address(self) -> str:
        return f"operator:{self.id}"

    @property
    def load(self) -> int:
        return len(self.held) + len(self.reserved)

    def availability(self) -> m.Availability:
        return m.Availability(
            self.id,
            self.name,
            self.logged_in,
            self.status.value,
            self.load,
            self.capacity,
            self.last_assigned_at,
        )


def logged_in(e: ev.OperatorLoggedInEv, default_capacity: int) -> OperatorState:
    cap = default_capacity if e.capacity is None else e.capacity
    return OperatorState(
        id=e.operator, name=e.name, capacity=cap, status=Status(e.status), status_since=e.at
    )


def apply(s: OperatorState, e: ev.Event) -> OperatorState:
    if isinstance(e, Memo):
        return dataclasses.replace(s, **e.changes)
    if isinstance(e, ev.StatusSetEv):
        return dataclasses.replace(s, status=Status(e.status), status_since=e.at)
    if isinstance(e, ev.CapacitySetEv):
        return dataclasses.replace(s, capacity=e.capacity)
    if isinstance(e, ev.OperatorLoggedOutEv):
        return dataclasses.replace(s, logged_in=False)
    if isinstance(e, ev.OperatorLoggedInEv):
        return dataclasses.replace(s, name=e.name, logged_in=True)
    return s


def _memo(s: OperatorState, now: float, **changes: Any) -> Memo:
    return Memo(operator=s.id, at=now, changes=changes)


def _avail(s: OperatorState) -> m.Tell:
    return m.Tell("queue", s.availability())


def _reject(cmd: m.Inbound, code: str, message: str, dialog: str | None = None) -> m.Decision:
    rej = n.Rejected(cmd.command.ref, code, message, dialog)
    return m.Decision((), (m.Reply(cmd.reply_to, rej),))


def _after(s: OperatorState, *events: ev.Event) -> OperatorState:
    for e in events:
        s = apply(s, e)
    return s


def decide_command(
    s: OperatorState, cmd: m.Inbound, now: float, settings: EngineSettings
) -> m.Decision:
    command = cmd.command
    ack = m.Reply(cmd.reply_to, n.Ack(command.ref))
    if isinstance(command, c.OperatorLogin):  # forwarded by the supervisor
        if s.logged_in:
            return m.Decision((), (ack,))
        # logged out, retiring: the supervisor logs it in afresh once this actor is gone
        return m.Decision((), (m.Tell("supervisor", cmd),))
    if not s.logged_in:
        return _reject(cmd, "unknown_operator", f"operator {s.id} is logged out")
    if isinstance(command, c.SetStatus):
        if command.status is s.status:
            return m.Decision((), (ack,))
        e = ev.StatusSetEv(operator=s.id, at=now, status=command.status.value)
        after = _after(s, e)
        fx: list[m.Effect] = [
            m.Publish(n.StatusChanged(s.id, after.status.value, now)),
            _avail(after),
        ]
        if command.status.tells_visitors:
            note = m.NoteLookingForInfo(s.id, s.name, reminder=False)
            fx += [m.Tell(f"dialog:{d}", note) for d in s.held]
        return m.Decision((e,), (ack, *fx))  # the answer first, then what it caused
    if isinstance(command, c.SetCapacity):
        if command.capacity < 0:
            return _reject(
                cmd, "invalid", f"cannot set capacity of {s.id} to {command.capacity}: must be >= 0"
            )
        e2 = ev.CapacitySetEv(operator=s.id, at=now, capacity=command.capacity)
        return m.Decision((e2,), (ack, _avail(_after(s, e2))))
    if isinstance(command, c.OperatorLogout):
        return _logout(s, now, ack)
    if isinstance(command, c.Transfer):
        d = command.dialog_id
        if command.to_operator_id == s.id:
            return _reject(
                cmd, "invalid", f"cannot transfer dialog {d} to {s.id}: it is yourself", d
            )
        if d not in s.held:
            if d in s.recent_closed:
                return _reject(cmd, "closed", f"cannot transfer dialog {d}: it is closed", d)
            return _reject(
                cmd, "forbidden", f"cannot transfer dialog {d} as {s.id}: you do not hold it", d
            )
        tid = f"{s.id}#{s.next_tid}"
        memo = _memo(
            s,
            now,
            pending={**s.pending, tid: (d, command.ref, cmd.reply_to)},
            next_tid=s.next_tid + 1,
        )
        offer = m.TransferOffer(tid, d, s.id, s.name, command.note, command.ref, cmd.reply_to)
        return m.Decision((memo,), (m.Tell(f"operator:{command.to_operator_id}", offer),))
    return _reject(cmd, "invalid", f"cannot {c.action(command)}: an operator does not handle that")


def decide(s: OperatorState, msg: object, now: float, settings: EngineSettings) -> m.Decision:
    if isinstance(msg, m.Inbound):
        return decide_command(s, msg, now, settings)
    if isinstance(msg, m.Offer):
        if not s.logged_in or not s.status.takes_new_dialogs or s.load >= s.capacity:
            return m.Decision(
                (), (m.Tell("queue", m.OfferDeclined(msg.dialog, s.id, s.availability())),)
            )
        memo = _memo(s, now, reserved=s.reserved | {msg.dialog}, last_assigned_at=now)
        after = _after(s, memo)
        return m.Decision(
            (memo,),
            (
                m.Tell(f"dialog:{msg.dialog}", m.Assign(msg.dialog, s.id, s.name)),
                m.Tell("queue", m.OfferAccepted(msg.dialog, after.availability())),
            ),
        )
    if isinstance(msg, m.AssignmentDone | m.TransferIn):
        if not s.logged_in:
            return m.Decision((), (m.Tell(f"dialog:{msg.dialog}", m.OperatorGone(s.id)),))
        if isinstance(msg, m.TransferIn):
            added = n.DialogAdded(
                s.id,
                msg.dialog,
                msg.seq,
                msg.visitor_name,
                msg.from_operator,
                msg.from_name,
                msg.note,
            )
        else:
            added = n.DialogAdded(s.id, msg.dialog, msg.seq, msg.visitor_name)
        memo = _memo(s, now, held={**s.held, msg.dialog: added}, reserved=s.reserved - {msg.dialog})
        return m.Decision((memo,), (m.Publish(added), _avail(_after(s, memo))))
    if isinstance(msg, m.ReleaseSlot):
        if msg.dialog not in s.reserved:
            return m.Decision()
        memo = _memo(s, now, reserved=s.reserved - {msg.dialog})
        return m.Decision((memo,), (_avail(_after(s, memo)),))
    if isinstance(msg, m.DialogReleased):
        if msg.dialog not in s.held:
            return m.Decision()
        held = {k: v for k, v in s.held.items() if k != msg.dialog}
        recent = s.recent_closed
        if msg.reason == "closed":
            recent = (*recent, msg.dialog)[-RECENT_KEPT:]
        memo = _memo(s, now, held=held, recent_closed=recent)
        removed = n.DialogRemoved(s.id, msg.dialog, msg.seq, msg.reason)
        return m.Decision((memo,), (m.Publish(removed), _avail(_after(s, memo))))
    if isinstance(msg, m.TransferOffer):
        return _transfer_offer(s, msg, now, settings)
    if isinstance(msg, m.TransferFinished):
        if msg.tid not in s.pending:
            return m.Decision()
        pending = {k: v for k, v in s.pending.items() if k != msg.tid}
        return m.Decision((_memo(s, now, pending=pending),), ())
    if isinstance(msg, m.Tick):
        return _tick(s, msg, now)
    if isinstance(msg, m.Undeliverable):
        return _undeliverable(s, msg, now)
    return m.Decision()


def _transfer_offer(
    s: OperatorState, t: m.TransferOffer, now: float, settings: EngineSettings
) -> m.Decision:
    def abort(code: str, message: str) -> m.Decision:
        a = m.AbortTransfer(t.tid, t.dialog, t.from_operator, code, message, t.ref, t.reply_to)
        return m.Decision((), (m.Tell(f"dialog:{t.dialog}", a),))

    if not s.logged_in:
        return abort("unknown_operator", f"cannot transfer dialog {t.dialog} to {s.id}: logged out")
    if s.load >= s.capacity and not settings.allow_transfer_over_capacity:
        return abort(
            "at_capacity",
            f"cannot transfer dialog {t.dialog} to {s.id}: at capacity ({s.load}/{s.capacity})",
        )
    memo = _memo(s, now, reserved=s.reserved | {t.dialog})
    done = m.CompleteTransfer(
        t.tid, t.dialog, t.from_operator, t.from_name, s.id, s.name, t.note, t.ref, t.reply_to
    )
    return m.Decision((memo,), (m.Tell(f"dialog:{t.dialog}", done), _avail(_after(s, memo))))


RESTORED_TICK = "restored"
"""The timer of an operator restored from the journal whose console has not logged in."""


def _logout(s: OperatorState, now: float, *answer: m.Effect) -> m.Decision:
    """Log ``s`` out: its dialogs (and reserved ones) are told it is gone, then it retires."""
    e = ev.OperatorLoggedOutEv(operator=s.id, at=now)
    gone = m.OperatorGone(s.id)
    fx: list[m.Effect] = list(answer)
    fx += [m.Tell(f"dialog:{d}", gone) for d in (*s.held, *sorted(s.reserved))]
    fx += [_avail(_after(s, e)), m.Tell(s.address, m.Retire())]
    return m.Decision((e,), tuple(fx))


def _tick(s: OperatorState, t: m.Tick, now: float) -> m.Decision:
    if t.kind == RESTORED_TICK and s.logged_in:  # restored, and no console logged in since
        return _logout(s, now)
    if t.kind == "looking" and s.logged_in and s.status.tells_visitors:
        note = m.NoteLookingForInfo(s.id, s.name, reminder=True)
        return m.Decision((), tuple(m.Tell(f"dialog:{d}", note) for d in s.held))
    if t.kind == "transfer" and t.key in s.pending:
        d, ref, reply_to = s.pending[t.key]
        why = f"cannot transfer dialog {d}: the receiver did not answer in time"
        a = m.AbortTransfer(t.key, d, s.id, "timeout", why, ref, reply_to)
        return m.Decision((), (m.Tell(f"dialog:{d}", a),))
    return m.Decision()


def _undeliverable(s: OperatorState, u: m.Undeliverable, now: float) -> m.Decision:
    inner = u.message
    why = {"absent": "is not logged in", "crashed": "failed", "failed": "is unavailable"}[u.reason]
    who = u.address.split(":", 1)[-1]
    if isinstance(inner, m.TransferOffer):
        code = "unknown_operator" if u.reason == "absent" else "internal"
        a = m.AbortTransfer(
            inner.tid,
            inner.dialog,
            s.id,
            code,
            f"cannot transfer dialog {inner.dialog} to {who}: {who} {why}",
            inner.ref,
            inner.reply_to,
        )
        return m.Decision((), (m.Tell(f"dialog:{inner.dialog}", a),))
    if isinstance(inner, m.Assign | m.CompleteTransfer):
        memo = _memo(s, now, reserved=s.reserved - {inner.dialog})
        after = _after(s, memo)
        fx: list[m.Effect] = []
        if isinstance(inner, m.Assign) and u.reason == "crashed":
            # back to its place in the queue, with our fresh availability in the same
            # message (a separate Availability first would let a later dialog overtake it)
            fx.append(m.Tell("queue", m.OfferDeclined(inner.dialog, s.id, after.availability())))
        elif isinstance(inner, m.Assign):
            fx += [m.Tell("queue", m.Dequeue(inner.dialog)), _avail(after)]
        else:
            fx.append(_avail(after))
            rej = n.Rejected(
                inner.ref,
                "closed" if u.reason == "absent" else "internal",
                f"cannot transfer dialog {inner.dialog}: it "
                + ("is closed" if u.reason == "absent" else "failed"),
                inner.dialog,
            )
            fx.append(m.Reply(inner.reply_to, rej))
            fin = m.TransferFinished(inner.tid, inner.dialog)
            fx.append(m.Tell(f"operator:{inner.from_operator}", fin))
        return m.Decision((memo,), tuple(fx))
    if isinstance(inner, m.AbortTransfer):
        rej = n.Rejected(inner.ref, inner.code, inner.message, inner.dialog)
        pending = {k: v for k, v in s.pending.items() if k != inner.tid}
        fx2: list[m.Effect] = [m.Reply(inner.reply_to, rej)]
        if inner.from_operator != s.id:
            fx2.append(
                m.Tell(
                    f"operator:{inner.from_operator}", m.TransferFinished(inner.tid, inner.dialog)
                )
            )
        return m.Decision((_memo(s, now, pending=pending),), tuple(fx2))
    return m.Decision()
