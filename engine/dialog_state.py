"""The dialog's state machine: pure functions, no threads, no I/O.

Theory of operation
-------------------
A dialog is opened by the supervisor (event ``dialog.opened``, entry seq 1) and
waits in the queue. It has three phases::

    phase      message                       -> phase     event
    ---------  ----------------------------  ---------   ----------------------
    queued     Assign(op)                    -> assigned  dialog.assigned
    assigned   CompleteTransfer(A->B)        -> assigned  dialog.transferred (holder B)
    assigned   OperatorGone(holder)          -> queued    dialog.requeued
    queued     VisitorClose / ManagerClose   -> closed    dialog.closed
    assigned   VisitorClose / OperatorClose  -> closed    dialog.closed
               / ManagerClose / inactivity
    queued|assigned  VisitorSay              (same)       dialog.message
    assigned   OperatorSay / MarkImportant   (same)       dialog.message / .important
               / AskForHelp / looking-for-info            / .help_requested / .looking_for_info
    assigned   InternalMessage               (same)       dialog.internal (staff only)
    queued|assigned  HelpAck (a request waits) (same)      dialog.help_acked (staff only)
    queued|assigned  HelpResolve (one is open) (same)      dialog.help_resolved (staff only)
    queued|assigned  ManagerSay              (same)       dialog.message (author manager)
    assigned   TakeOver(to)                  (same)       (the holder's Transfer -> to)
    queued     TakeOver(to)                  (same)       dialog.take_over; DirectedOffer -> queue
    queued|assigned  RecordMail (the server)  (same)       dialog.mail (staff only)
    queued|assigned  RecordFile (the server)  (same)       dialog.file
    queued|assigned  UseMonitoredLink         (same)       dialog.link_used (not history)
    assigned   SendSurvey (the holder)       (same)       dialog.survey (questions frozen)
    queued|assigned  AnswerSurvey (visitor)  (same)       dialog.survey_answered (once, fitting)
    assigned   a close (see above)           -> closed    dialog.survey ([surveys] on_close,
                                                          engine/close_survey.py), then
                                                          dialog.closed: one commit
    closed     AnswerSurvey (visitor)        (same)       (to the store: the close's survey
                                                          is answered from the journal)
    closed     anything else                 -> Rejected ``closed``
    closed     Watch (visitor, last holder,  -> closed    (none: the history is replayed,
               manager)                                   nothing live follows)

The handlers live by idea: the participants' commands here; the step-ins of a manager in
``dialog_step_in``; surveys in ``dialog_surveys``; messages between actors (the queue's
offer, transfers, timers) in ``dialog_routing``; the close in ``dialog_closing``; the
answers they share in ``dialog_replies``.

Every history event takes the next ``seq`` (gap-free from 1); the notice that
is published for it is the history entry (``entry()``). ``decide`` looks at
one message and returns the events to append and the effects to perform
once they are durable; ``apply`` folds one event into the state (it lives,
with ``DialogState``, in ``frontdesk.engine.dialog_model``). Replay is
``apply`` over the dialog's stream, so a restarted actor is exactly the one
that crashed, minus what was never committed.

A ``Memo`` is an event that is applied but never journaled, one typed event
per change: ``PositionTold`` (the queue position last told),
``TransferSettled`` (a transfer finished or aborted, so a late
``CompleteTransfer`` after an abort is refused) and ``PresenceTold`` (the
visitor's presence last told).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from frontdesk.engine import commands, dialog_routing, dialog_surveys, events, messages, notices
from frontdesk.engine import dialog_step_in as step_in
from frontdesk.engine.dialog_closing import close_effects, closing
from frontdesk.engine.dialog_model import (
    REFS_KEPT,
    DialogState,
    Memo,
    Phase,
    PositionTold,
    PresenceTold,
    TransferSettled,
    apply,
    opened,
    ref_key,
    summary,
)
from frontdesk.engine.dialog_replies import ack as _ack
from frontdesk.engine.dialog_replies import answered as _answered
from frontdesk.engine.dialog_replies import history as _history
from frontdesk.engine.dialog_replies import not_the_holders, not_the_visitors
from frontdesk.engine.dialog_replies import reject as _reject
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.transitions import Handler, Table

# the state and its fold live in engine.dialog_model; importable from here too
__all__ = [
    "COMMANDS",
    "IGNORED",
    "REFS_KEPT",
    "TRANSITIONS",
    "DialogState",
    "Memo",
    "Phase",
    "PositionTold",
    "PresenceTold",
    "TransferSettled",
    "apply",
    "close_effects",
    "closing",
    "decide",
    "decide_command",
    "opened",
    "summary",
]


# --- decide ------------------------------------------------------------------------


def _with_reply(d: messages.Decision, reply_to: notices.Subscriber | None) -> messages.Decision:
    """Send the Ack placeholders (``Reply(None, ...)``) of ``d`` to ``reply_to``."""
    fx = tuple(
        messages.Reply(reply_to, f.notice) if isinstance(f, messages.Reply) and f.reply_to is None
        else f
        for f in d.effects
    )
    return messages.Decision(d.events, fx)


# --- commands (an Inbound, by its command's type) ----------------------------------------


def _closed(s: DialogState, cmd: messages.Inbound, now: float,
            cfg: EngineSettings) -> messages.Decision:
    return _reject(cmd, s, "closed", f"cannot {commands.action(cmd.command)}: it is closed")


def _command(
    handle: Callable[[DialogState, messages.Inbound, float], messages.Decision],
) -> Handler[DialogState]:
    """A command's handler, its Ack placeholders answered to the command's ``reply_to``."""

    def handler(s: DialogState, cmd: messages.Inbound, now: float,
                cfg: EngineSettings) -> messages.Decision:
        return _with_reply(handle(s, cmd, now), cmd.reply_to)

    return handler


def _say(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.VisitorSay | commands.OperatorSay)
    refused = (
        not_the_visitors(s, cmd) if isinstance(command, commands.VisitorSay)
        else not_the_holders(s, cmd)
    )
    if refused is not None:
        return refused
    author = "visitor" if isinstance(command, commands.VisitorSay) else "operator"
    op = command.operator_id if isinstance(command, commands.OperatorSay) else None
    key = ref_key(author, op, command.ref)
    if command.ref is not None and key in s.refs:
        return messages.Decision((), (_ack(command.ref, s, s.refs[key]),))
    if not command.text.strip():
        return _reject(cmd, s, "invalid", f"cannot {commands.action(command)}: the text is empty")
    e = events.MessagePosted(
        dialog=s.id,
        at=now,
        seq=s.seq + 1,
        author=author,
        name=s.visitor_name if author == "visitor" else s.operator_name,
        text=command.text,
        ref=command.ref,
        operator=op,
        format=command.format,
        html=command.html,
        plain=command.plain,
    )
    return _history(s, e, _ack(command.ref, s, s.seq + 1))


_CLOSED_BY = {commands.VisitorClose: "visitor", commands.OperatorClose: "operator",
              commands.ManagerClose: "manager"}


def _close(s: DialogState, cmd: messages.Inbound, now: float,
           cfg: EngineSettings) -> messages.Decision:
    command = cmd.command
    if isinstance(command, commands.VisitorClose):
        refused = not_the_visitors(s, cmd)
    elif isinstance(command, commands.OperatorClose):
        refused = not_the_holders(s, cmd)
    else:
        refused = None
    if refused is not None:
        return _with_reply(refused, cmd.reply_to)
    by = _CLOSED_BY[type(command)]
    return _with_reply(closing(s, by, f"closed by the {by}", now, cfg, ref=command.ref),
                       cmd.reply_to)


def _mark_important(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.MarkImportant)
    refused = not_the_holders(s, cmd)
    if refused is not None:
        return refused
    e = events.ImportantMarked(dialog=s.id, at=now, seq=s.seq + 1, important=command.important)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def _ask_for_help(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.AskForHelp)
    refused = not_the_holders(s, cmd)
    if refused is not None:
        return refused
    e = events.HelpRequested(
        dialog=s.id, at=now, seq=s.seq + 1, operator=command.operator_id, text=command.text
    )
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def _record_mail(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.RecordMail)
    e = events.MailRecorded(dialog=s.id, at=now, seq=s.seq + 1, kind=command.kind,
                          to=command.to, status=command.status, text=command.text)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def _record_file(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    f = cmd.command
    assert isinstance(f, commands.RecordFile)
    e = events.FileAttached(dialog=s.id, at=now, seq=s.seq + 1, file=f.file, name=f.name,
                          size=f.size, mime=f.mime, thumbnail=f.thumbnail, author=f.author,
                          author_name=f.author_name)
    return _answered(s, e, _ack(f.ref, s, s.seq + 1))


def _monitor(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.Monitor)
    e = events.MonitorSet(dialog=s.id, at=now, manager=command.manager_id, on=command.on,
                           socket=command.socket)
    watched = bool(apply(s, e).monitors)
    if watched == bool(s.monitors):
        return messages.Decision((e,), (_ack(command.ref, s),))
    note = notices.MonitoringChanged(s.id, s.seq, watched)  # the holder's console may say so
    return messages.Decision((e,), (_ack(command.ref, s), messages.Publish(note, False)))


def _typing(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.Typing)
    ok = (
        s.operator == command.operator_id
        if command.operator_id is not None
        else command.token_hash == s.token_hash
    )
    if not ok:
        return messages.Decision()
    who: Literal["visitor", "operator"] = "visitor" if command.operator_id is None else "operator"
    return messages.Decision((),
        (messages.Publish(notices.TypingChanged(s.id, s.seq, who, command.on), False),))


def _presence(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.VisitorPresence)
    if command.presence == s.presence:
        return messages.Decision()
    memo = PresenceTold(dialog=s.id, at=now, presence=command.presence)
    note = notices.PresenceChanged(s.id, s.seq, command.presence)
    return messages.Decision((memo,), (messages.Publish(note, True),))


def _use_link(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The monitored dialog's link, exchanged for the fresh visitor token (once, in time)."""
    command = cmd.command
    assert isinstance(command, commands.UseMonitoredLink)
    what = f"cannot {commands.action(command)}"
    if not s.link_hash or command.link_hash != s.link_hash:
        return _reject(cmd, s, "forbidden", f"{what}: the link is not this dialog's")
    if s.link_used:
        return _reject(cmd, s, "link_used", f"{what}: the link was used already")
    if now >= s.link_expires_at:
        return _reject(cmd, s, "link_expired", f"{what}: the link expired")
    e = events.MonitoredLinkUsed(dialog=s.id, at=now, token_hash=command.token_hash)
    return messages.Decision((e,), (_ack(command.ref, s),))


def _visitor_left(s: DialogState, cmd: messages.Inbound, now: float,
                  cfg: EngineSettings) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.VisitorLeft)
    reason = f"the visitor left (no connection for {command.after_s:g} s)"
    return _with_reply(closing(s, "visitor", reason, now, cfg, ref=command.ref, left=True),
                       cmd.reply_to)


COMMANDS: dict[type[commands.Command], Handler[DialogState]] = {
    commands.VisitorSay: _command(_say),
    commands.OperatorSay: _command(_say),
    commands.VisitorClose: _close,
    commands.OperatorClose: _close,
    commands.ManagerClose: _close,
    commands.MarkImportant: _command(_mark_important),
    commands.AskForHelp: _command(_ask_for_help),
    commands.InternalMessage: _command(step_in.internal),
    commands.HelpAck: _command(step_in.help_ack),
    commands.HelpResolve: _command(step_in.help_resolve),
    commands.ManagerSay: _command(step_in.manager_say),
    commands.TakeOver: _command(step_in.take_over),
    commands.RecordMail: _command(_record_mail),
    commands.RecordFile: _command(_record_file),
    commands.Monitor: _command(_monitor),
    commands.Typing: _command(_typing),
    commands.VisitorPresence: _command(_presence),
    commands.VisitorLeft: _visitor_left,
    commands.UseMonitoredLink: _command(_use_link),
    commands.SendSurvey: _command(dialog_surveys.send_survey),
    commands.AnswerSurvey: _command(dialog_surveys.answer_survey),
}


def decide_command(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """What a command does to the dialog (the table's command rows)."""
    return decide(s, cmd, now, EngineSettings())


# --- the table: commands above, messages between actors in engine/dialog_routing.py,
# surveys in engine/dialog_surveys.py, step-ins in engine/dialog_step_in.py -----------------


Q, A, X = Phase.QUEUED, Phase.ASSIGNED, Phase.CLOSED

TRANSITIONS: dict[tuple[Phase, type[Any]], Handler[DialogState]] = {
    **{(phase, kind): h for phase in (Q, A) for kind, h in COMMANDS.items()},
    **{(X, kind): _closed for kind in COMMANDS},
    (X, commands.AnswerSurvey): dialog_surveys.answer_closed,
    (Q, messages.Assign): dialog_routing.assign,
    (A, messages.Assign): dialog_routing.assigned_already,
    (X, messages.Assign): dialog_routing.assigned_already,
    (A, messages.OperatorGone): dialog_routing.operator_gone,
    (A, messages.Undeliverable): dialog_routing.undeliverable,
    (A, messages.NoteLookingForInfo): dialog_routing.looking_for_info,
    (Q, messages.Position): dialog_routing.position,
    (Q, messages.Tick): dialog_routing.tick,
    (A, messages.Tick): dialog_routing.tick,
    # a transfer is answered in every phase: the dialog serialises complete against abort
    **{(phase, messages.CompleteTransfer): dialog_routing.transfer for phase in (Q, A, X)},
    **{(phase, messages.AbortTransfer): dialog_routing.abort_transfer for phase in (Q, A, X)},
}

IGNORED = frozenset(
    {
        (Q, messages.OperatorGone),  # late: the dialog was requeued or closed meanwhile
        (X, messages.OperatorGone),
        (Q, messages.Undeliverable),  # a bounce of what an assignment sent, once requeued
        (X, messages.Undeliverable),
        (Q, messages.NoteLookingForInfo),  # late: the holder's status changed before it came
        (X, messages.NoteLookingForInfo),
        (A, messages.Position),  # late: assigned while the queue told its place
        (X, messages.Position),
        (X, messages.Tick),  # closed: no timer matters
    }
)

TABLE: Table[DialogState] = Table(
    "dialog", lambda s: s.phase, lambda s: s.address, TRANSITIONS, IGNORED
)


def decide(s: DialogState, msg: object, now: float, settings: EngineSettings) -> messages.Decision:
    """What to do with one message, commands and messages between actors alike: the row
    of ``TRANSITIONS`` for the dialog's phase and the message (``engine/transitions.py``).
    A command no row takes is refused ``invalid``; any other unknown pair raises
    ``TransitionError``."""
    if isinstance(msg, messages.Inbound) and type(msg.command) not in COMMANDS:
        if s.phase is Phase.CLOSED:
            return _closed(s, msg, now, settings)
        why = f"cannot {commands.action(msg.command)}: a dialog does not handle that"
        return _reject(msg, s, "invalid", why)
    return TABLE.decide(s, msg, now, settings)


