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
the projection. Typed memos (``engine/operator_model.py``) carry such
non-journaled changes.

The machine is one table, ``TRANSITIONS``: ``(presence, input) -> handler``
(``engine/transitions.py``), the presence being logged in or logged out (retiring).
A command no row takes is refused ``invalid``; any other unknown pair raises
``TransitionError``.
"""

from __future__ import annotations

from typing import Any

from frontdesk.engine import commands as c
from frontdesk.engine import events as ev
from frontdesk.engine import messages as m
from frontdesk.engine import notices as n
from frontdesk.engine import operator_transfer as tr
from frontdesk.engine.operator_model import (
    RECENT_KEPT,
    DialogHeld,
    DialogLeft,
    Memo,
    OperatorState,
    Presence,
    SlotReleased,
    SlotReserved,
    TransferEnded,
    TransferStarted,
    applied,
    apply,
    availability_to_queue,
    logged_in,
    refused,
)
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.transitions import Handler, Table

# the state and its fold live in engine.operator_model; importable from here too
__all__ = [
    "COMMANDS",
    "RECENT_KEPT",
    "RESTORED_TICK",
    "TRANSITIONS",
    "DialogHeld",
    "DialogLeft",
    "Memo",
    "OperatorState",
    "Presence",
    "SlotReleased",
    "SlotReserved",
    "TransferEnded",
    "TransferStarted",
    "apply",
    "decide",
    "logged_in",
]

RESTORED_TICK = "restored"
"""The timer of an operator restored from the journal whose console has not logged in."""


def _ack(cmd: m.Inbound) -> m.Reply:
    return m.Reply(cmd.reply_to, n.Ack(cmd.command.ref))


# --- commands (an Inbound, by its command's type) ----------------------------------------


def _login(s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings) -> m.Decision:
    """A login forwarded by the supervisor: logged in, it is answered at once; logged out
    (retiring), the supervisor logs it in afresh once this actor is gone."""
    if s.logged_in:
        return m.Decision((), (_ack(cmd),))
    return m.Decision((), (m.Tell("supervisor", cmd),))


def _logged_out(s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings) -> m.Decision:
    return refused(cmd, "unknown_operator", f"operator {s.id} is logged out")


def _set_status(s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings) -> m.Decision:
    command = cmd.command
    assert isinstance(command, c.SetStatus)
    if command.status is s.status:
        return m.Decision((), (_ack(cmd),))
    e = ev.StatusSetEv(operator=s.id, at=now, status=command.status.value)
    after = applied(s, e)
    fx: list[m.Effect] = [
        m.Publish(n.StatusChanged(s.id, after.status.value, now)),
        availability_to_queue(after),
    ]
    if command.status.tells_visitors:
        note = m.NoteLookingForInfo(s.id, s.name, reminder=False)
        fx += [m.Tell(f"dialog:{d}", note) for d in s.held]
    return m.Decision((e,), (_ack(cmd), *fx))  # the answer first, then what it caused


def _set_capacity(
    s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings
) -> m.Decision:
    command = cmd.command
    assert isinstance(command, c.SetCapacity)
    if command.capacity < 0:
        return refused(
            cmd, "invalid", f"cannot set capacity of {s.id} to {command.capacity}: must be >= 0"
        )
    e = ev.CapacitySetEv(operator=s.id, at=now, capacity=command.capacity)
    return m.Decision((e,), (_ack(cmd), availability_to_queue(applied(s, e))))


def _logout_command(
    s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings
) -> m.Decision:
    command = cmd.command
    assert isinstance(command, c.OperatorLogout)
    return _logout(s, now, _ack(cmd), reason=command.reason)


def _internal(s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings) -> m.Decision:
    """A general internal message (no dialog) between the managers and this operator."""
    command = cmd.command
    assert isinstance(command, c.OperatorInternal)
    if command.author == "operator" and command.author_id != s.id:
        why = f"cannot {c.action(command)} as {command.author_id}: only to the managers"
        return refused(cmd, "forbidden", why)
    if not command.text.strip():
        return refused(cmd, "invalid", f"cannot {c.action(command)}: the text is empty")
    number = s.messages[-1].n + 1 if s.messages else 1
    e = ev.OperatorInternalEv(operator=s.id, at=now, n=number, author=command.author,
                              author_id=command.author_id,
                              name=command.author_name or command.author_id, text=command.text)
    note = applied(s, e).messages[-1]
    return m.Decision((e,), (_ack(cmd), m.Publish(note)))


def _internal_logged_out(
    s: OperatorState, cmd: m.Inbound, now: float, cfg: EngineSettings
) -> m.Decision:
    command = cmd.command
    return refused(cmd, "unknown_operator",
                   f"cannot {c.action(command)}: {s.id} is not logged in")


COMMANDS: dict[type[c.Command], Handler[OperatorState]] = {
    c.OperatorInternal: _internal,
    c.SetStatus: _set_status,
    c.SetCapacity: _set_capacity,
    c.OperatorLogout: _logout_command,
    c.Transfer: tr.transfer,
}


# --- messages between actors ---------------------------------------------------------------


def _decline(s: OperatorState, msg: m.Offer, now: float, cfg: EngineSettings) -> m.Decision:
    if not s.logged_in:
        why = f"{s.id} is not logged in"
    else:
        why = f"{s.id} has no room ({s.load} of {s.capacity} dialogs)"
    declined = m.OfferDeclined(msg.dialog, s.id, s.availability(), msg.taken, why)
    return m.Decision((), (m.Tell("queue", declined),))


def _offer(s: OperatorState, msg: m.Offer, now: float, cfg: EngineSettings) -> m.Decision:
    # a take-over (``taken``) needs room only: the manager chose this operator
    takes = msg.taken is not None or s.status.takes_new_dialogs
    if not takes or s.load >= s.capacity:
        return _decline(s, msg, now, cfg)
    memo = SlotReserved(operator=s.id, at=now, dialog=msg.dialog, assigned=True)
    after = applied(s, memo)
    return m.Decision(
        (memo,),
        (
            m.Tell(f"dialog:{msg.dialog}", m.Assign(msg.dialog, s.id, s.name, msg.taken)),
            m.Tell("queue", m.OfferAccepted(msg.dialog, after.availability())),
        ),
    )


def _arrived(
    s: OperatorState, msg: m.AssignmentDone | m.TransferIn, now: float, cfg: EngineSettings
) -> m.Decision:
    if isinstance(msg, m.TransferIn):
        added = n.DialogAdded(
            s.id, msg.dialog, msg.seq, msg.visitor_name, msg.from_operator, msg.from_name,
            msg.note,
        )
    else:
        added = n.DialogAdded(s.id, msg.dialog, msg.seq, msg.visitor_name)
    memo = DialogHeld(operator=s.id, at=now, added=added)
    return m.Decision((memo,), (m.Publish(added), availability_to_queue(applied(s, memo))))


def _arrived_too_late(
    s: OperatorState, msg: m.AssignmentDone | m.TransferIn, now: float, cfg: EngineSettings
) -> m.Decision:
    """The dialog came while we log out: it goes back to the queue."""
    return m.Decision((), (m.Tell(f"dialog:{msg.dialog}", m.OperatorGone(s.id)),))


def _release_slot(
    s: OperatorState, msg: m.ReleaseSlot, now: float, cfg: EngineSettings
) -> m.Decision:
    if msg.dialog not in s.reserved:
        return m.Decision()
    memo = SlotReleased(operator=s.id, at=now, dialog=msg.dialog)
    return m.Decision((memo,), (availability_to_queue(applied(s, memo)),))


def _dialog_released(
    s: OperatorState, msg: m.DialogReleased, now: float, cfg: EngineSettings
) -> m.Decision:
    if msg.dialog not in s.held:
        return m.Decision()
    memo = DialogLeft(operator=s.id, at=now, dialog=msg.dialog, closed=msg.reason == "closed")
    removed = n.DialogRemoved(s.id, msg.dialog, msg.seq, msg.reason)
    after = applied(s, memo)
    if msg.reason == "reassigned" and after.status.takes_new_dialogs:
        # the reply timeout took it away: no new dialog until the operator picks Connected
        stop = ev.StatusSetEv(operator=s.id, at=now, status=Status.NO_NEW_DIALOG.value)
        after = applied(after, stop)
        changed = n.StatusChanged(s.id, after.status.value, now)
        return m.Decision(
            (memo, stop),
            (m.Publish(removed), m.Publish(changed), availability_to_queue(after)),
        )
    return m.Decision((memo,), (m.Publish(removed), availability_to_queue(after)))


def _logout(s: OperatorState, now: float, *answer: m.Effect, reason: str = "") -> m.Decision:
    """Log ``s`` out: its dialogs (and reserved ones) are told it is gone, then it retires."""
    e = ev.OperatorLoggedOutEv(operator=s.id, at=now)
    gone = m.OperatorGone(s.id, reason) if reason else m.OperatorGone(s.id)
    fx: list[m.Effect] = list(answer)
    fx += [m.Tell(f"dialog:{d}", gone) for d in (*s.held, *sorted(s.reserved))]
    fx += [availability_to_queue(applied(s, e)), m.Tell(s.address, m.Retire())]
    return m.Decision((e,), tuple(fx))


def _tick(s: OperatorState, t: m.Tick, now: float, cfg: EngineSettings) -> m.Decision:
    if t.kind == RESTORED_TICK and s.logged_in:  # restored, and no console logged in since
        return _logout(s, now)
    if t.kind == "looking" and s.logged_in and s.status.tells_visitors:
        note = m.NoteLookingForInfo(s.id, s.name, reminder=True)
        return m.Decision((), tuple(m.Tell(f"dialog:{d}", note) for d in s.held))
    if t.kind == "transfer" and t.key in s.pending:
        d, ref, reply_to = s.pending[t.key]
        why = f"Dialog {d} was not transferred: the colleague's console did not answer in time."
        a = m.AbortTransfer(t.key, d, s.id, "timeout", why, ref, reply_to)
        return m.Decision((), (m.Tell(f"dialog:{d}", a),))
    return m.Decision()


IN, OUT = Presence.LOGGED_IN, Presence.LOGGED_OUT

TRANSITIONS: dict[tuple[Presence, type[Any]], Handler[OperatorState]] = {
    **{(IN, kind): h for kind, h in COMMANDS.items()},
    **{(OUT, kind): _logged_out for kind in COMMANDS},
    (OUT, c.OperatorInternal): _internal_logged_out,
    **{(p, c.OperatorLogin): _login for p in (IN, OUT)},
    (IN, m.Offer): _offer,
    (OUT, m.Offer): _decline,
    (IN, m.AssignmentDone): _arrived,
    (IN, m.TransferIn): _arrived,
    (OUT, m.AssignmentDone): _arrived_too_late,
    (OUT, m.TransferIn): _arrived_too_late,
    (IN, m.TransferOffer): tr.transfer_offer,
    (OUT, m.TransferOffer): tr.transfer_offer_logged_out,
    # in both presences: a retiring operator still frees its slots and ends its transfers
    **{(p, m.ReleaseSlot): _release_slot for p in (IN, OUT)},
    **{(p, m.DialogReleased): _dialog_released for p in (IN, OUT)},
    **{(p, m.TransferFinished): tr.transfer_finished for p in (IN, OUT)},
    **{(p, m.Tick): _tick for p in (IN, OUT)},
    **{(p, m.Undeliverable): tr.undeliverable for p in (IN, OUT)},
}

TABLE: Table[OperatorState] = Table(
    "operator", lambda s: s.presence, lambda s: s.address, TRANSITIONS
)


def decide(s: OperatorState, msg: object, now: float, settings: EngineSettings) -> m.Decision:
    """What to do with one message: the row of ``TRANSITIONS`` for the operator's presence
    and the message. A command no row takes is refused; any other unknown pair raises
    ``TransitionError``."""
    if isinstance(msg, m.Inbound) and (s.presence, type(msg.command)) not in TRANSITIONS:
        if not s.logged_in:
            return _logged_out(s, msg, now, settings)
        why = f"cannot {c.action(msg.command)}: an operator does not handle that"
        return refused(msg, "invalid", why)
    return TABLE.decide(s, msg, now, settings)
