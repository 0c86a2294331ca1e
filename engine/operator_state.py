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

from frontdesk.engine import commands, events, messages, notices, operator_transfer
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


def _ack(cmd: messages.Inbound) -> messages.Reply:
    return messages.Reply(cmd.reply_to, notices.Ack(cmd.command.ref))


# --- commands (an Inbound, by its command's type) ----------------------------------------


def _login(s: OperatorState, cmd: messages.Inbound, now: float,
           cfg: EngineSettings) -> messages.Decision:
    """A login forwarded by the supervisor: logged in, it is answered at once; logged out
    (retiring), the supervisor logs it in afresh once this actor is gone."""
    if s.logged_in:
        return messages.Decision((), (_ack(cmd),))
    return messages.Decision((), (messages.Tell("supervisor", cmd),))


def _logged_out(s: OperatorState, cmd: messages.Inbound, now: float,
                cfg: EngineSettings) -> messages.Decision:
    return refused(cmd, "unknown_operator", f"operator {s.id} is logged out")


def _set_status(s: OperatorState, cmd: messages.Inbound, now: float,
                cfg: EngineSettings) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.SetStatus)
    if command.status is s.status:
        return messages.Decision((), (_ack(cmd),))
    e = events.StatusSet(operator=s.id, at=now, status=command.status.value)
    after = applied(s, e)
    fx: list[messages.Effect] = [
        messages.Publish(notices.StatusChanged(s.id, after.status.value, now)),
        availability_to_queue(after),
    ]
    if command.status.tells_visitors:
        note = messages.NoteLookingForInfo(s.id, s.name, reminder=False)
        fx += [messages.Tell(f"dialog:{d}", note) for d in s.held]
    return messages.Decision((e,), (_ack(cmd), *fx))  # the answer first, then what it caused


def _set_capacity(
    s: OperatorState, cmd: messages.Inbound, now: float, cfg: EngineSettings
) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.SetCapacity)
    if command.capacity < 0:
        return refused(
            cmd, "invalid", f"cannot set capacity of {s.id} to {command.capacity}: must be >= 0"
        )
    e = events.CapacitySet(operator=s.id, at=now, capacity=command.capacity)
    return messages.Decision((e,), (_ack(cmd), availability_to_queue(applied(s, e))))


def _logout_command(
    s: OperatorState, cmd: messages.Inbound, now: float, cfg: EngineSettings
) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.OperatorLogout)
    return _logout(s, now, _ack(cmd), reason=command.reason)


def _internal(s: OperatorState, cmd: messages.Inbound, now: float,
              cfg: EngineSettings) -> messages.Decision:
    """A general internal message (no dialog) between the managers and this operator."""
    command = cmd.command
    assert isinstance(command, commands.OperatorInternal)
    if command.author == "operator" and command.author_id != s.id:
        why = f"cannot {commands.action(command)} as {command.author_id}: only to the managers"
        return refused(cmd, "forbidden", why)
    if not command.text.strip():
        return refused(cmd, "invalid", f"cannot {commands.action(command)}: the text is empty")
    number = s.messages[-1].n + 1 if s.messages else 1
    e = events.OperatorInternal(operator=s.id, at=now, n=number, author=command.author,
                              author_id=command.author_id,
                              name=command.author_name or command.author_id, text=command.text)
    note = applied(s, e).messages[-1]
    return messages.Decision((e,), (_ack(cmd), messages.Publish(note)))


def _internal_logged_out(
    s: OperatorState, cmd: messages.Inbound, now: float, cfg: EngineSettings
) -> messages.Decision:
    command = cmd.command
    return refused(cmd, "unknown_operator",
                   f"cannot {commands.action(command)}: {s.id} is not logged in")


COMMANDS: dict[type[commands.Command], Handler[OperatorState]] = {
    commands.OperatorInternal: _internal,
    commands.SetStatus: _set_status,
    commands.SetCapacity: _set_capacity,
    commands.OperatorLogout: _logout_command,
    commands.Transfer: operator_transfer.transfer,
}


# --- messages between actors ---------------------------------------------------------------


def _decline(s: OperatorState, msg: messages.Offer, now: float,
             cfg: EngineSettings) -> messages.Decision:
    if not s.logged_in:
        why = f"{s.id} is not logged in"
    else:
        why = f"{s.id} has no room ({s.load} of {s.capacity} dialogs)"
    declined = messages.OfferDeclined(msg.dialog, s.id, s.availability(), msg.taken, why)
    return messages.Decision((), (messages.Tell("queue", declined),))


def _offer(s: OperatorState, msg: messages.Offer, now: float,
           cfg: EngineSettings) -> messages.Decision:
    # a take-over (``taken``) needs room only: the manager chose this operator
    takes = msg.taken is not None or s.status.takes_new_dialogs
    if not takes or s.load >= s.capacity:
        return _decline(s, msg, now, cfg)
    memo = SlotReserved(operator=s.id, at=now, dialog=msg.dialog, assigned=True)
    after = applied(s, memo)
    return messages.Decision(
        (memo,),
        (
            messages.Tell(f"dialog:{msg.dialog}",
                          messages.Assign(msg.dialog, s.id, s.name, msg.taken)),
            messages.Tell("queue", messages.OfferAccepted(msg.dialog, after.availability())),
        ),
    )


def _arrived(
    s: OperatorState, msg: messages.AssignmentDone | messages.TransferIn, now: float,
    cfg: EngineSettings
) -> messages.Decision:
    if isinstance(msg, messages.TransferIn):
        added = notices.DialogAdded(
            s.id, msg.dialog, msg.seq, msg.visitor_name, msg.from_operator, msg.from_name,
            msg.note, msg.monitored,
        )
    else:
        added = notices.DialogAdded(s.id, msg.dialog, msg.seq, msg.visitor_name,
                              monitored=msg.monitored)
    memo = DialogHeld(operator=s.id, at=now, added=added)
    return messages.Decision((memo,),
                             (messages.Publish(added), availability_to_queue(applied(s, memo))))


def _arrived_too_late(
    s: OperatorState, msg: messages.AssignmentDone | messages.TransferIn, now: float,
    cfg: EngineSettings
) -> messages.Decision:
    """The dialog came while we log out: it goes back to the queue."""
    return messages.Decision((),
                             (messages.Tell(f"dialog:{msg.dialog}", messages.OperatorGone(s.id)),))


def _release_slot(
    s: OperatorState, msg: messages.ReleaseSlot, now: float, cfg: EngineSettings
) -> messages.Decision:
    if msg.dialog not in s.reserved:
        return messages.Decision()
    memo = SlotReleased(operator=s.id, at=now, dialog=msg.dialog)
    return messages.Decision((memo,), (availability_to_queue(applied(s, memo)),))


def _dialog_released(
    s: OperatorState, msg: messages.DialogReleased, now: float, cfg: EngineSettings
) -> messages.Decision:
    if msg.dialog not in s.held:
        return messages.Decision()
    memo = DialogLeft(operator=s.id, at=now, dialog=msg.dialog, closed=msg.reason == "closed")
    removed = notices.DialogRemoved(s.id, msg.dialog, msg.seq, msg.reason)
    after = applied(s, memo)
    if msg.reason == "reassigned" and after.status.takes_new_dialogs:
        # the reply timeout took it away: no new dialog until the operator picks Connected
        stop = events.StatusSet(operator=s.id, at=now, status=Status.NO_NEW_DIALOG.value)
        after = applied(after, stop)
        changed = notices.StatusChanged(s.id, after.status.value, now)
        return messages.Decision(
            (memo, stop),
            (messages.Publish(removed), messages.Publish(changed), availability_to_queue(after)),
        )
    return messages.Decision((memo,), (messages.Publish(removed), availability_to_queue(after)))


def _logout(s: OperatorState, now: float, *answer: messages.Effect,
            reason: str = "") -> messages.Decision:
    """Log ``s`` out: its dialogs (and reserved ones) are told it is gone, then it retires."""
    e = events.OperatorLoggedOut(operator=s.id, at=now)
    gone = messages.OperatorGone(s.id, reason) if reason else messages.OperatorGone(s.id)
    fx: list[messages.Effect] = list(answer)
    fx += [messages.Tell(f"dialog:{d}", gone) for d in (*s.held, *sorted(s.reserved))]
    fx += [availability_to_queue(applied(s, e)), messages.Tell(s.address, messages.Retire())]
    return messages.Decision((e,), tuple(fx))


def _tick(s: OperatorState, t: messages.Tick, now: float, cfg: EngineSettings) -> messages.Decision:
    if t.kind == RESTORED_TICK and s.logged_in:  # restored, and no console logged in since
        return _logout(s, now)
    if t.kind == "looking" and s.logged_in and s.status.tells_visitors:
        note = messages.NoteLookingForInfo(s.id, s.name, reminder=True)
        return messages.Decision((), tuple(messages.Tell(f"dialog:{d}", note) for d in s.held))
    if t.kind == "transfer" and t.key in s.pending:
        d, ref, reply_to = s.pending[t.key]
        why = f"Dialog {d} was not transferred: the colleague's console did not answer in time."
        a = messages.AbortTransfer(t.key, d, s.id, "timeout", why, ref, reply_to)
        return messages.Decision((), (messages.Tell(f"dialog:{d}", a),))
    return messages.Decision()


IN, OUT = Presence.LOGGED_IN, Presence.LOGGED_OUT

TRANSITIONS: dict[tuple[Presence, type[Any]], Handler[OperatorState]] = {
    **{(IN, kind): h for kind, h in COMMANDS.items()},
    **{(OUT, kind): _logged_out for kind in COMMANDS},
    (OUT, commands.OperatorInternal): _internal_logged_out,
    **{(p, commands.OperatorLogin): _login for p in (IN, OUT)},
    (IN, messages.Offer): _offer,
    (OUT, messages.Offer): _decline,
    (IN, messages.AssignmentDone): _arrived,
    (IN, messages.TransferIn): _arrived,
    (OUT, messages.AssignmentDone): _arrived_too_late,
    (OUT, messages.TransferIn): _arrived_too_late,
    (IN, messages.TransferOffer): operator_transfer.transfer_offer,
    (OUT, messages.TransferOffer): operator_transfer.transfer_offer_logged_out,
    # in both presences: a retiring operator still frees its slots and ends its transfers
    **{(p, messages.ReleaseSlot): _release_slot for p in (IN, OUT)},
    **{(p, messages.DialogReleased): _dialog_released for p in (IN, OUT)},
    **{(p, messages.TransferFinished): operator_transfer.transfer_finished for p in (IN, OUT)},
    **{(p, messages.Tick): _tick for p in (IN, OUT)},
    **{(p, messages.Undeliverable): operator_transfer.undeliverable for p in (IN, OUT)},
}

TABLE: Table[OperatorState] = Table(
    "operator", lambda s: s.presence, lambda s: s.address, TRANSITIONS
)


def decide(s: OperatorState, msg: object, now: float,
           settings: EngineSettings) -> messages.Decision:
    """What to do with one message: the row of ``TRANSITIONS`` for the operator's presence
    and the message. A command no row takes is refused; any other unknown pair raises
    ``TransitionError``."""
    if isinstance(msg, messages.Inbound) and (s.presence, type(msg.command)) not in TRANSITIONS:
        if not s.logged_in:
            return _logged_out(s, msg, now, settings)
        why = f"cannot {commands.action(msg.command)}: an operator does not handle that"
        return refused(msg, "invalid", why)
    return TABLE.decide(s, msg, now, settings)
