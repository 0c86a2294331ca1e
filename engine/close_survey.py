"""The satisfaction survey sent when a dialog closes (``[surveys] on_close``), and its
answer after the close (pure decisions; the board is the one input the adapter sets).

Theory of operation
-------------------
The adapter resolves the configured title to a template at start and again whenever the
templates change, and sets it on the ``CloseSurveyBoard`` the settings carry (None: the
title names no template now; it logs that, here, at each close it would have sent one).
A close that sends a survey (``survey_at_close``) journals the ``dialog.survey`` entry,
its questions frozen and its deadline (``answer_until``: the close's time plus
``survey_answer_window_s``) in it, in the same commit as the ``dialog.closed`` right
after it: the survey is replicated, survives a failover and is counted as sent with the
close itself, and a close never fails because of it.

Which closes send one: a dialog an operator held (there is someone to rate) closed by
the operator, the visitor, a manager or the visitor's inactivity. Not a dialog closed in
the queue (nobody served it), not one closed because the visitor left (their widget is
gone: the survey would count as sent to nobody and only lower the response rate), not
one the engine gave up.

The answer comes once the actor is retired (or retiring): the dialog's actor and the
engine's absent hook hand it to the store (``messages.AnswerClosedSurvey``), which reads
the dialog's stream, decides with ``answer_after_close`` and appends the
``dialog.survey_answered`` entry in the dialog's stream itself, before it reads the
next message, so a second answer always sees the first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from frontdesk.engine import commands, events, messages, notices
from frontdesk.engine.dialog_model import DialogState, Phase
from frontdesk.engine.history import entry
from frontdesk.engine.survey_answers import answer_problem, normalized

if TYPE_CHECKING:
    from frontdesk.engine.settings import EngineSettings

log = logging.getLogger("frontdesk.engine")

SURVEYED_CLOSES = frozenset({"operator", "visitor", "manager", "timeout"})


def survey_at_close(s: DialogState, by: str, left: bool, now: float,
                    cfg: EngineSettings) -> events.SurveySent | None:
    """The ``dialog.survey`` entry to journal right before ``s`` closes (``by``; ``left``:
    the visitor left, the grace period closes it), or None: none configured, a close that
    sends none, or a title that names no template now (logged)."""
    title = cfg.survey_on_close
    if not title or s.phase is not Phase.ASSIGNED or left or by not in SURVEYED_CLOSES:
        return None
    survey = cfg.close_surveys.current()
    if survey is None or not survey.questions:
        log.warning("[surveys] on_close names %r, which is no survey template with questions "
                    "now: dialog %s closes without a survey", title, s.id)
        return None
    return events.SurveySent(
        dialog=s.id, at=now, seq=s.seq + 1, template=survey.template, title=survey.title,
        questions=[dict(q) for q in survey.questions], operator=s.operator or "",
        operator_name=s.operator_name, answer_until=now + cfg.survey_answer_window_s)


def answer_after_close(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The visitor's answer to the survey their dialog's close sent: once, in its window,
    as its questions ask. The entry and the ack go to the one who answered (nobody
    watches a closed dialog live); a refusal changes nothing."""
    command = cmd.command
    assert isinstance(command, commands.AnswerSurvey)
    why = f"cannot {commands.action(command)}"

    def refuse(code: str, message: str) -> messages.Decision:
        refused = notices.Rejected(command.ref, code, f"{why}: {message}", s.id)
        return messages.Decision((), (messages.Reply(cmd.reply_to, refused),))

    if command.token_hash != s.token_hash:
        return refuse("forbidden", "not your dialog")
    if s.phase is not Phase.CLOSED:
        # open, yet its actor is gone: it was given up (its actor kept failing)
        return refuse("unavailable", "the dialog is unavailable (its actor kept failing)")
    if command.survey in s.answered_surveys:
        return refuse("already_answered", "it was answered already")
    pending = s.close_survey
    if pending is None or pending[0] != command.survey:
        if command.survey in s.surveys:
            return refuse("closed", "it is closed (only the survey sent with the close is "
                          "answered after it)")
        sent = str(pending[0]) if pending is not None else "none"
        return refuse("no_survey", "expected the number of the survey sent with the close of "
                      f"this dialog ({sent}), got {command.survey}")
    survey, until = pending
    if now >= until:
        return refuse("survey_expired", f"its answer window ended at {until:.0f} (it is "
                      f"{now:.0f})")
    questions = s.surveys.get(survey, [])
    problem = answer_problem(questions, command.answers)
    if problem is not None:
        return refuse("bad_answer", problem)
    e = events.SurveyAnswered(dialog=s.id, at=now, seq=s.seq + 1, survey=survey,
                              answers=normalized(command.answers), questions=questions)
    note = entry(e)
    assert note is not None
    ack = notices.Ack(command.ref, s.id, e.seq)
    return messages.Decision((e,), (messages.Reply(cmd.reply_to, ack),
                                    messages.Reply(cmd.reply_to, note)))
