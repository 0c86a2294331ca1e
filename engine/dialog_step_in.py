"""A manager steps in on a dialog (issue 16), and help requests end: the dialog's handlers of
``InternalMessage``, ``ManagerSay``, ``TakeOver``, ``HelpAck`` and ``HelpResolve``, each a
plain function of the state and the command (rows of ``dialog_state.TRANSITIONS``).
Internal entries (``dialog.internal``, ``dialog.help_acked``, ``dialog.help_resolved``) are
for staff only (``engine/notices.py``); each step-in is journaled (``engine/audit.py``)."""

from __future__ import annotations

from frontdesk.engine import commands, events, messages
from frontdesk.engine.dialog_model import DialogState, ref_key
from frontdesk.engine.dialog_replies import ack, answered, history, reject

__all__ = ["help_ack", "help_resolve", "internal", "manager_say", "take_over"]


def help_ack(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """A manager is on the help request: listed no more as waiting; the holder is told."""
    command = cmd.command
    assert isinstance(command, commands.HelpAck)
    req = s.help_request
    if req is None:
        why = f"cannot {commands.action(command)}: no help request is waiting"
        return reject(cmd, s, "invalid", why)
    acked_by = req.get("acked_by")
    if acked_by == command.manager_id:  # a resend: already done
        return messages.Decision((), (ack(command.ref, s),))
    if acked_by is not None:
        who = req.get("acked_name") or acked_by
        why = f"cannot {commands.action(command)}: {who} is on it already"
        return reject(cmd, s, "invalid", why)
    e = events.HelpAcked(dialog=s.id, at=now, seq=s.seq + 1, manager=command.manager_id,
                       name=command.manager_name or command.manager_id)
    return answered(s, e, ack(command.ref, s, s.seq + 1))


def help_resolve(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The help request is resolved (a manager, or the holder): its trace entry."""
    command = cmd.command
    assert isinstance(command, commands.HelpResolve)
    if command.author == "operator" and s.operator != command.author_id:
        held = "it is queued" if s.operator is None else "another operator holds it"
        why = f"cannot {commands.action(command)} as {command.author_id}: {held}"
        return reject(cmd, s, "forbidden", why)
    if s.help_request is None:
        why = f"cannot {commands.action(command)}: no help request is open"
        return reject(cmd, s, "invalid", why)
    e = events.HelpResolved(dialog=s.id, at=now, seq=s.seq + 1, author=command.author,
                          author_id=command.author_id,
                          name=command.author_name or command.author_id, text=command.text)
    return answered(s, e, ack(command.ref, s, s.seq + 1))


def internal(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """An internal message: the holder writes, or a manager to the holder (staff only)."""
    command = cmd.command
    assert isinstance(command, commands.InternalMessage)
    if command.author == "operator" and s.operator != command.author_id:
        held = "it is queued" if s.operator is None else "another operator holds it"
        why = f"cannot {commands.action(command)} as {command.author_id}: {held}"
        return reject(cmd, s, "forbidden", why)
    if s.operator is None:
        why = f"cannot {commands.action(command)}: no operator holds it (it is queued)"
        return reject(cmd, s, "invalid", why)
    if not command.text.strip():
        return reject(cmd, s, "invalid", f"cannot {commands.action(command)}: the text is empty")
    e = events.InternalMessage(dialog=s.id, at=now, seq=s.seq + 1, author=command.author,
                             author_id=command.author_id, name=command.author_name,
                             text=command.text)
    return answered(s, e, ack(command.ref, s, s.seq + 1))


def manager_say(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """A manager writes to the visitor: a message under the manager's name."""
    command = cmd.command
    assert isinstance(command, commands.ManagerSay)
    key = ref_key("manager", command.manager_id, command.ref)
    if command.ref is not None and key in s.refs:
        return messages.Decision((), (ack(command.ref, s, s.refs[key]),))
    if not command.text.strip():
        return reject(cmd, s, "invalid", f"cannot {commands.action(command)}: the text is empty")
    e = events.MessagePosted(
        dialog=s.id, at=now, seq=s.seq + 1, author="manager",
        name=command.manager_name or command.manager_id, text=command.text, ref=command.ref,
        operator=command.manager_id, format=command.format, html=command.html,
        plain=command.plain,
    )
    return history(s, e, ack(command.ref, s, s.seq + 1))


def take_over(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """A manager moves the dialog: the holder's ``Transfer``, on the manager's behalf (the
    transfer machinery answers it: ``ack`` once moved, or its refusals)."""
    command = cmd.command
    assert isinstance(command, commands.TakeOver)
    to = command.to_operator_id
    who = command.manager_name or command.manager_id
    if s.operator is None:  # queued: offered to ``to`` out of turn, through the queue
        asked = events.TakeOverAsked(dialog=s.id, at=now, manager=command.manager_id, name=who,
                                   to=to, note=command.note)
        taken = messages.TakenBy(command.manager_id, command.ref, cmd.reply_to)
        return messages.Decision((asked,),
                                 (messages.Tell("queue", messages.DirectedOffer(s.id, to, taken)),))
    if to == s.operator:
        return reject(cmd, s, "invalid",
                      f"cannot {commands.action(command)}: {to} already holds it")
    note = f"taken over by {who}" + (f": {command.note}" if command.note else "")
    transfer = commands.Transfer(s.operator, s.id, to, note, ref=command.ref)
    asked = events.TakeOverAsked(dialog=s.id, at=now, manager=command.manager_id, name=who, to=to,
                               note=command.note)  # the audit's record (engine/audit.py)
    return messages.Decision((asked,),
                      (messages.Tell(f"operator:{s.operator}",
                                     messages.Inbound(transfer, cmd.reply_to)),))
