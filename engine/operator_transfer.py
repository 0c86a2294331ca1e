"""The operator's part in a transfer, and what comes back undelivered to it.

A transfer A -> B: A's ``Transfer`` command starts it (``TransferStarted``: A's timer
runs until ``TransferFinished``) and offers the dialog to B; B reserves a slot and tells
the dialog ``CompleteTransfer``, or refuses with ``AbortTransfer``; the dialog, the one
authority, commits the move or the refusal and tells A ``TransferFinished``. A bounce
(``Undeliverable``) of anything the operator sent — an offer to a logged-out receiver,
an ``Assign`` or ``CompleteTransfer`` to a dialog that is gone, an ``AbortTransfer`` —
ends the same way: the reserved slot freed, the requester answered once. The handlers
are rows of ``operator_state.TRANSITIONS``.
"""

from __future__ import annotations

from frontdesk.engine import commands, messages, notices
from frontdesk.engine.operator_model import (
    OperatorState,
    SlotReleased,
    SlotReserved,
    TransferEnded,
    TransferStarted,
    applied,
    availability_to_queue,
    refused,
)
from frontdesk.engine.settings import EngineSettings


def transfer(s: OperatorState, cmd: messages.Inbound, now: float,
             cfg: EngineSettings) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.Transfer)
    d = command.dialog_id
    if command.to_operator_id == s.id:
        return refused(cmd, "invalid", f"cannot transfer dialog {d} to {s.id}: it is yourself", d)
    if d not in s.held:
        if d in s.recent_closed:
            return refused(cmd, "closed", f"cannot transfer dialog {d}: it is closed", d)
        return refused(
            cmd, "forbidden", f"cannot transfer dialog {d} as {s.id}: you do not hold it", d
        )
    tid = f"{s.id}#{s.next_tid}"
    memo = TransferStarted(
        operator=s.id, at=now, tid=tid, dialog=d, ref=command.ref, reply_to=cmd.reply_to
    )
    offer = messages.TransferOffer(tid, d, s.id, s.name, command.note, command.ref, cmd.reply_to)
    return messages.Decision((memo,), (messages.Tell(f"operator:{command.to_operator_id}", offer),))


def _abort(t: messages.TransferOffer, code: str, message: str) -> messages.Decision:
    a = messages.AbortTransfer(t.tid, t.dialog, t.from_operator, code, message, t.ref, t.reply_to)
    return messages.Decision((), (messages.Tell(f"dialog:{t.dialog}", a),))


def transfer_offer(
    s: OperatorState, t: messages.TransferOffer, now: float, settings: EngineSettings
) -> messages.Decision:
    if s.load >= s.capacity and not settings.allow_transfer_over_capacity:
        return _abort(
            t,
            "at_capacity",
            f"Dialog {t.dialog} was not transferred: {s.name or s.id} already has"
            f" {s.load} of {s.capacity} dialogs open.",
        )
    memo = SlotReserved(operator=s.id, at=now, dialog=t.dialog)
    done = messages.CompleteTransfer(
        t.tid, t.dialog, t.from_operator, t.from_name, s.id, s.name, t.note, t.ref, t.reply_to
    )
    after = applied(s, memo)
    return messages.Decision((memo,),
        (messages.Tell(f"dialog:{t.dialog}", done), availability_to_queue(after)))


def transfer_offer_logged_out(
    s: OperatorState, t: messages.TransferOffer, now: float, settings: EngineSettings
) -> messages.Decision:
    return _abort(
        t,
        "unknown_operator",
        f"Dialog {t.dialog} was not transferred: {s.name or s.id} has logged out.",
    )


def transfer_finished(
    s: OperatorState, msg: messages.TransferFinished, now: float, cfg: EngineSettings
) -> messages.Decision:
    if msg.tid not in s.pending:
        return messages.Decision()
    return messages.Decision((TransferEnded(operator=s.id, at=now, tid=msg.tid),), ())


def undeliverable(
    s: OperatorState, u: messages.Undeliverable, now: float, cfg: EngineSettings
) -> messages.Decision:
    inner = u.message
    why = {"absent": "is not logged in", "crashed": "failed", "failed": "is unavailable"}[u.reason]
    who = u.address.split(":", 1)[-1]
    if isinstance(inner, messages.TransferOffer):
        code = "unknown_operator" if u.reason == "absent" else "internal"
        a = messages.AbortTransfer(
            inner.tid,
            inner.dialog,
            s.id,
            code,
            f"Dialog {inner.dialog} was not transferred: {who} {why}.",
            inner.ref,
            inner.reply_to,
        )
        return messages.Decision((), (messages.Tell(f"dialog:{inner.dialog}", a),))
    if isinstance(inner, messages.Assign | messages.CompleteTransfer):
        memo = SlotReleased(operator=s.id, at=now, dialog=inner.dialog)
        after = applied(s, memo)
        fx: list[messages.Effect] = []
        if isinstance(inner, messages.Assign) and u.reason == "crashed":
            # back to its place in the queue, with our fresh availability in the same
            # message (a separate Availability first would let a later dialog overtake it)
            fx.append(messages.Tell("queue",
                messages.OfferDeclined(inner.dialog, s.id, after.availability())))
        elif isinstance(inner, messages.Assign):
            fx += [messages.Tell("queue", messages.Dequeue(inner.dialog)),
                   availability_to_queue(after)]
        else:
            fx.append(availability_to_queue(after))
            rej = notices.Rejected(
                inner.ref,
                "closed" if u.reason == "absent" else "internal",
                f"cannot transfer dialog {inner.dialog}: it "
                + ("is closed" if u.reason == "absent" else "failed"),
                inner.dialog,
            )
            fx.append(messages.Reply(inner.reply_to, rej))
            fin = messages.TransferFinished(inner.tid, inner.dialog)
            fx.append(messages.Tell(f"operator:{inner.from_operator}", fin))
        return messages.Decision((memo,), tuple(fx))
    if isinstance(inner, messages.AbortTransfer):
        rej = notices.Rejected(inner.ref, inner.code, inner.message, inner.dialog)
        fx2: list[messages.Effect] = [messages.Reply(inner.reply_to, rej)]
        if inner.from_operator != s.id:
            fx2.append(
                messages.Tell(
                    f"operator:{inner.from_operator}",
                    messages.TransferFinished(inner.tid, inner.dialog)
                )
            )
        return messages.Decision((TransferEnded(operator=s.id, at=now, tid=inner.tid),), tuple(fx2))
    return messages.Decision()
