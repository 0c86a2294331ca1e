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

from frontdesk.engine import commands, events, messages, notices
from frontdesk.engine import dialog_step_in as step_in
from frontdesk.engine.close_survey import survey_at_close
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
from frontdesk.engine.dialog_replies import reject as _reject
from frontdesk.engine.history import entry as _entry_of
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.survey_answers import answer_problem, normalized
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


def close_effects(
    s: DialogState, by: str, reason: str, now: float
) -> tuple[events.DialogClosed, tuple[messages.Effect, ...]]:
    """The ``dialog.closed`` event of ``s`` and what closing tells (the holder, the queue,
    the actor itself); the supervisor closes a given-up dialog with it too."""
    e = events.DialogClosed(dialog=s.id, at=now, seq=s.seq + 1, by=by, reason=reason)
    fx: list[messages.Effect] = []
    if s.operator is not None:
        fx.append(messages.Tell(f"operator:{s.operator}",
                                messages.DialogReleased(s.id, e.seq, "closed")))
    if s.phase is Phase.QUEUED:
        fx.append(messages.Tell("queue", messages.Dequeue(s.id)))
    fx.append(messages.Tell(s.address, messages.Retire()))
    return e, tuple(fx)


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


def _not_the_visitors(s: DialogState, cmd: messages.Inbound) -> messages.Decision | None:
    command = cmd.command
    if command.token_hash != s.token_hash:  # type: ignore[attr-defined]
        return _reject(cmd, s, "forbidden", f"cannot {commands.action(command)}: not your dialog")
    return None


def _not_the_holders(s: DialogState, cmd: messages.Inbound) -> messages.Decision | None:
    command = cmd.command
    operator = command.operator_id  # type: ignore[attr-defined]
    if s.operator == operator:
        return None
    held = "it is queued" if s.operator is None else "another operator holds it"
    return _reject(cmd, s, "forbidden", f"cannot {commands.action(command)} as {operator}: {held}")


def _say(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.VisitorSay | commands.OperatorSay)
    refused = (
        _not_the_visitors(s, cmd) if isinstance(command, commands.VisitorSay)
        else _not_the_holders(s, cmd)
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
        refused = _not_the_visitors(s, cmd)
    elif isinstance(command, commands.OperatorClose):
        refused = _not_the_holders(s, cmd)
    else:
        refused = None
    if refused is not None:
        return _with_reply(refused, cmd.reply_to)
    by = _CLOSED_BY[type(command)]
    return _with_reply(closing(s, by, f"closed by the {by}", now, cfg, ref=command.ref),
                       cmd.reply_to)


def closing(s: DialogState, by: str, reason: str, now: float, cfg: EngineSettings, *,
            ref: str | None = None, answered: bool = True,
            left: bool = False) -> messages.Decision:
    """The close of ``s``: the survey its close sends (``engine/close_survey.py``), if
    any, then ``dialog.closed``, in one decision (one commit); ``answered``: the command's
    ack (of the close's seq) first."""
    survey = survey_at_close(s, by, left, now, cfg)
    before = s if survey is None else apply(s, survey)
    e, fx = close_effects(before, by, reason, now)
    first = _history(s, survey) if survey is not None else messages.Decision()
    ack = (_ack(ref, s, e.seq),) if answered else ()
    return messages.Decision((*first.events, e),
                             (*ack, *first.effects, messages.Publish(_entry(e)), *fx))


def _mark_important(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.MarkImportant)
    refused = _not_the_holders(s, cmd)
    if refused is not None:
        return refused
    e = events.ImportantMarked(dialog=s.id, at=now, seq=s.seq + 1, important=command.important)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def _ask_for_help(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    command = cmd.command
    assert isinstance(command, commands.AskForHelp)
    refused = _not_the_holders(s, cmd)
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


def _send_survey(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The holder sends a survey: an entry for everyone, its questions frozen in it."""
    command = cmd.command
    assert isinstance(command, commands.SendSurvey)
    refused = _not_the_holders(s, cmd)
    if refused is not None:
        return refused
    if not command.questions:
        return _reject(cmd, s, "invalid", f"cannot {commands.action(command)}: it has no question")
    e = events.SurveySent(dialog=s.id, at=now, seq=s.seq + 1, template=command.template,
                        title=command.title, questions=[dict(q) for q in command.questions],
                        operator=command.operator_id, operator_name=s.operator_name)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def _answer_survey(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The visitor answers a survey of their dialog, once, as its questions ask."""
    command = cmd.command
    assert isinstance(command, commands.AnswerSurvey)
    refused = _not_the_visitors(s, cmd)
    if refused is not None:
        return refused
    why = f"cannot {commands.action(command)}"
    if command.survey in s.answered_surveys:
        return _reject(cmd, s, "already_answered", f"{why}: it was answered already")
    questions = s.surveys.get(command.survey)
    if questions is None:
        sent = ", ".join(str(k) for k in s.surveys) or "none"
        return _reject(cmd, s, "no_survey", f"{why}: expected the number of a survey sent in "
                       f"this dialog and not answered yet ({sent}), got {command.survey}")
    problem = answer_problem(questions, command.answers)
    if problem is not None:
        return _reject(cmd, s, "bad_answer", f"{why}: {problem}")
    e = events.SurveyAnswered(dialog=s.id, at=now, seq=s.seq + 1, survey=command.survey,
                            answers=normalized(command.answers), questions=questions)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


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


def _answer_closed(s: DialogState, cmd: messages.Inbound, now: float,
                   cfg: EngineSettings) -> messages.Decision:
    """Closed (retiring): the answer goes to the store, which answers a closed dialog's
    survey from the journal (``engine/close_survey.py``), after this dialog's commits."""
    return messages.Decision((), (messages.Tell("store", messages.AnswerClosedSurvey(
        s.id, cmd)),))


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
    commands.SendSurvey: _command(_send_survey),
    commands.AnswerSurvey: _command(_answer_survey),
}


def decide_command(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """What a command does to the dialog (the table's command rows)."""
    return decide(s, cmd, now, EngineSettings())


# --- messages between actors ---------------------------------------------------------------


def _assign(s: DialogState, msg: messages.Assign, now: float,
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


def _assigned_already(
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


def _operator_gone(
    s: DialogState, msg: messages.OperatorGone, now: float, cfg: EngineSettings
) -> messages.Decision:
    return _requeue(s, msg.operator, msg.reason, now)


def _undeliverable(
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


def _abort_transfer(
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


def _looking_for_info(
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


def _position(s: DialogState, msg: messages.Position, now: float,
              cfg: EngineSettings) -> messages.Decision:
    if msg.position == s.position and msg.estimate_s == s.estimate_s:
        return messages.Decision()
    memo = PositionTold(dialog=s.id, at=now, position=msg.position,
                        estimate_s=msg.estimate_s)
    note = notices.QueuePosition(s.id, s.seq, msg.position, msg.estimate_s)
    return messages.Decision((memo,), (messages.Publish(note, False),))


def _tick(s: DialogState, msg: messages.Tick, now: float, cfg: EngineSettings) -> messages.Decision:
    if msg.kind == "reply":
        return _reply_overdue(s, now, cfg)
    timeout = cfg.visitor_inactivity_timeout_s
    if msg.kind != "inactivity" or timeout <= 0 or now - s.quiet_since() < timeout:
        return messages.Decision()
    return closing(s, "timeout", f"no message from the visitor for {timeout:g} s", now, cfg,
                   answered=False)


def _transfer(
    s: DialogState, msg: messages.CompleteTransfer, now: float, cfg: EngineSettings
) -> messages.Decision:
    return _complete_transfer(s, msg, now)


Q, A, X = Phase.QUEUED, Phase.ASSIGNED, Phase.CLOSED

TRANSITIONS: dict[tuple[Phase, type[Any]], Handler[DialogState]] = {
    **{(phase, kind): h for phase in (Q, A) for kind, h in COMMANDS.items()},
    **{(X, kind): _closed for kind in COMMANDS},
    (X, commands.AnswerSurvey): _answer_closed,
    (Q, messages.Assign): _assign,
    (A, messages.Assign): _assigned_already,
    (X, messages.Assign): _assigned_already,
    (A, messages.OperatorGone): _operator_gone,
    (A, messages.Undeliverable): _undeliverable,
    (A, messages.NoteLookingForInfo): _looking_for_info,
    (Q, messages.Position): _position,
    (Q, messages.Tick): _tick,
    (A, messages.Tick): _tick,
    # a transfer is answered in every phase: the dialog serialises complete against abort
    **{(phase, messages.CompleteTransfer): _transfer for phase in (Q, A, X)},
    **{(phase, messages.AbortTransfer): _abort_transfer for phase in (Q, A, X)},
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


def _complete_transfer(s: DialogState, t: messages.CompleteTransfer,
                       now: float) -> messages.Decision:
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


def _entry(e: events.Event) -> notices.Notice:
    note = _entry_of(e)
    assert note is not None
    return note
