"""The dialog's handlers of messages between actors (rows of ``dialog_state.TRANSITIONS``):
the queue's offer (``Assign``) and the place it tells (``Position``), an operator gone or
unreachable (requeued at the head of the queue), a transfer completed or aborted, the
holder looking for information, and the timers (``Tick``: the visitor's inactivity closes
the dialog, the reply timeout takes it from a holder who does not answer). Each is a
plain function of the state, the message, the time and the settings."""

from __future__ import annotations

from frontdesk.engine import events, messages, notices
from frontdesk.engine.dialog_closing import closing
from frontdesk.engine.dialog_model import DialogState, Phase, PositionTold, TransferSettled
from frontdesk.engine.dialog_replies import answered as _answered
from frontdesk.engine.dialog_replies import history as _history
from frontdesk.engine.settings import EngineSettings

__all__ = [
    "abort_transfer",
    "assign",
    "assigned_already",
    "looking_for_info",
    "operator_gone",
    "position",
    "tick",
    "transfer",
    "undeliverable",
]


def assign(s: DialogState, msg: messages.Assign, now: float,
            cfg: EngineSettings) -> messages.Decision:
    assigned = events.DialogAssigned(
        dialog=s.id,
        at=now,
        seq=s.seq + 1,
        operator=msg.operator,
        operator_name=msg.operator_name,
    )
    done = messages.AssignmentDone(s.id, msg.operator, assigned.seq, s.visitor_name,
                            s.monitored_by is not None)
    # the operator first: its console's frame must not wait behind the queue's
    # position broadcast, which the Dequeue starts
    d = _history(
        s, assigned, messages.Tell(f"operator:{msg.operator}", done),
        messages.Tell("queue", messages.Dequeue(s.id, s.queued_s(now))),
    )
    if msg.taken is None:
        return d
    answer = messages.Reply(msg.taken.reply_to, notices.Ack(msg.taken.ref, s.id, assigned.seq))
    return messages.Decision(d.events,
                             (answer, *d.effects))  # a take-over's: answered once assigned


def assigned_already(
    s: DialogState, msg: messages.Assign, now: float, cfg: EngineSettings
) -> messages.Decision:
    """An offer raced another assignment, or the close: the operator frees the slot (a
    take-over's manager is told)."""
    fx: list[messages.Effect] = [messages.Tell(f"operator:{msg.operator}",
                                               messages.ReleaseSlot(s.id))]
    if msg.taken is not None:
        why = "it is closed" if s.phase is Phase.CLOSED else f"{s.operator} got it meanwhile"
        refused = notices.Rejected(msg.taken.ref, "invalid",
                                   f"cannot take over dialog {s.id}: {why}",
                             s.id)
        fx.append(messages.Reply(msg.taken.reply_to, refused))
    return messages.Decision((), tuple(fx))


def operator_gone(
    s: DialogState, msg: messages.OperatorGone, now: float, cfg: EngineSettings
) -> messages.Decision:
    return _requeue(s, msg.operator, msg.reason, now)


def undeliverable(
    s: DialogState, msg: messages.Undeliverable, now: float, cfg: EngineSettings
) -> messages.Decision:
    if isinstance(msg.message, messages.AssignmentDone | messages.TransferIn):
        op = msg.address.removeprefix("operator:")
        return _requeue(s, op, "the operator could not be reached", now)
    if isinstance(msg.message, messages.Inbound):  # a take-over's transfer: its holder is gone
        command = msg.message.command
        why = f"cannot take over dialog {s.id}: its operator cannot be reached"
        refused = notices.Rejected(command.ref, "unknown_operator", why, s.id)
        return messages.Decision((), (messages.Reply(msg.message.reply_to, refused),))
    return messages.Decision()  # a bounce of anything else we sent changes nothing here


def abort_transfer(
    s: DialogState, msg: messages.AbortTransfer, now: float, cfg: EngineSettings
) -> messages.Decision:
    if msg.tid in s.finished_tids:
        return messages.Decision()
    memo = TransferSettled(dialog=s.id, at=now, tid=msg.tid)
    return messages.Decision(
        (memo,),
        (
            messages.Reply(msg.reply_to, notices.Rejected(msg.ref, msg.code, msg.message, s.id)),
            messages.Tell(f"operator:{msg.from_operator}",
                          messages.TransferFinished(msg.tid, s.id)),
        ),
    )


def looking_for_info(
    s: DialogState, msg: messages.NoteLookingForInfo, now: float, cfg: EngineSettings
) -> messages.Decision:
    if s.operator != msg.operator:
        return messages.Decision()
    looking = events.LookingForInfo(
        dialog=s.id,
        at=now,
        seq=s.seq + 1,
        operator_name=msg.operator_name,
        reminder=msg.reminder,
    )
    return _history(s, looking)


def position(s: DialogState, msg: messages.Position, now: float,
              cfg: EngineSettings) -> messages.Decision:
    if msg.position == s.position and msg.estimate_s == s.estimate_s:
        return messages.Decision()
    memo = PositionTold(dialog=s.id, at=now, position=msg.position,
                        estimate_s=msg.estimate_s)
    note = notices.QueuePosition(s.id, s.seq, msg.position, msg.estimate_s)
    return messages.Decision((memo,), (messages.Publish(note, False),))


def tick(s: DialogState, msg: messages.Tick, now: float, cfg: EngineSettings) -> messages.Decision:
    if msg.kind == "reply":
        return _reply_overdue(s, now, cfg)
    timeout = cfg.visitor_inactivity_timeout_s
    if msg.kind != "inactivity" or timeout <= 0 or now - s.quiet_since() < timeout:
        return messages.Decision()
    return closing(s, "timeout", f"no message from the visitor for {timeout:g} s", now, cfg,
                   answered=False)


def _requeue(s: DialogState, operator: str, reason: str, now: float) -> messages.Decision:
    if s.phase is not Phase.ASSIGNED or s.operator != operator:
        return messages.Decision()
    e = events.DialogRequeued(dialog=s.id, at=now, seq=s.seq + 1, operator=operator, reason=reason)
    back = messages.Enqueue(s.id, s.number, s.priority, head=True)  # the visitor keeps their place
    return _history(s, e, messages.Tell("queue", back))


def _reply_overdue(s: DialogState, now: float, cfg: EngineSettings) -> messages.Decision:
    """The reply timeout: the holder left the visitor unanswered for ``reply_timeout_s``.
    The dialog is taken from them (nothing of it stays in their console) and goes back
    at the head of the queue, for another operator; the holder stops taking new dialogs
    (status No new dialog, their console is told), so it is not offered back to them."""
    due = s.reply_due(cfg.reply_timeout_s)
    if due is None or now < due or s.operator is None:
        return messages.Decision()
    holder = s.operator
    who = s.operator_name or holder
    reason = f"no reply from {who} for {cfg.reply_timeout_s:g} s"
    e = events.DialogRequeued(dialog=s.id, at=now, seq=s.seq + 1, operator=holder, reason=reason)
    back = messages.Enqueue(s.id, s.number, s.priority, head=True)
    released = messages.DialogReleased(s.id, e.seq, "reassigned")
    return _history(s, e, messages.Tell("queue", back),
                    messages.Tell(f"operator:{holder}", released))


def transfer(
    s: DialogState, t: messages.CompleteTransfer, now: float, cfg: EngineSettings
) -> messages.Decision:
    """The target operator took the transfer: the dialog moves to it, unless an abort or a
    close came first (then the target's slot is freed and the sender is told why)."""
    to = f"operator:{t.to_operator}"
    if t.tid in s.finished_tids:
        return messages.Decision((), (messages.Tell(to, messages.ReleaseSlot(s.id)),))
    refusal: tuple[str, str] | None = None
    if s.phase is Phase.CLOSED:
        refusal = ("closed", f"cannot transfer dialog {s.id}: it is closed")
    elif s.phase is not Phase.ASSIGNED or s.operator != t.from_operator:
        refusal = (
            "forbidden",
            f"cannot transfer dialog {s.id} from {t.from_operator}: it does not hold it",
        )
    memo = TransferSettled(dialog=s.id, at=now, tid=t.tid)
    finished = messages.Tell(f"operator:{t.from_operator}", messages.TransferFinished(t.tid, s.id))
    if refusal is not None:
        rejected = notices.Rejected(t.ref, refusal[0], refusal[1], s.id)
        return messages.Decision(
            (memo,),
                (messages.Tell(to, messages.ReleaseSlot(s.id)), finished,
                  messages.Reply(t.reply_to, rejected))
        )
    moved = events.DialogTransferred(
        dialog=s.id,
        at=now,
        seq=s.seq + 1,
        from_operator=t.from_operator,
        from_name=t.from_name,
        to_operator=t.to_operator,
        to_name=t.to_name,
        note=t.note,
    )
    removed = messages.DialogReleased(s.id, moved.seq, "transferred")
    added = messages.TransferIn(s.id, moved.seq, s.visitor_name, t.from_operator, t.from_name,
                                t.note,
                         s.monitored_by is not None)
    d = _answered(
        s,
        moved,
        messages.Reply(t.reply_to, notices.Ack(t.ref, s.id, moved.seq)),
        messages.Tell(f"operator:{t.from_operator}", removed),
        finished,
        messages.Tell(to, added),
    )
    return messages.Decision((*d.events, memo), d.effects)
