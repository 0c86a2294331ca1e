"""A survey in a dialog (issue 15): the holder sends one (its questions frozen in the
entry), the visitor answers it once, as its questions ask; after the close only the close's
survey is answered, by the store from the journal (``engine/close_survey.py``). Rows of
``dialog_state.TRANSITIONS``, each a plain function of the state and the command."""

from __future__ import annotations

from frontdesk.engine import commands, events, messages
from frontdesk.engine.dialog_model import DialogState
from frontdesk.engine.dialog_replies import ack as _ack
from frontdesk.engine.dialog_replies import answered as _answered
from frontdesk.engine.dialog_replies import not_the_holders, not_the_visitors
from frontdesk.engine.dialog_replies import reject as _reject
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.survey_answers import answer_problem, normalized

__all__ = ["answer_closed", "answer_survey", "send_survey"]


def send_survey(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The holder sends a survey: an entry for everyone, its questions frozen in it."""
    command = cmd.command
    assert isinstance(command, commands.SendSurvey)
    refused = not_the_holders(s, cmd)
    if refused is not None:
        return refused
    if not command.questions:
        return _reject(cmd, s, "invalid", f"cannot {commands.action(command)}: it has no question")
    e = events.SurveySent(dialog=s.id, at=now, seq=s.seq + 1, template=command.template,
                        title=command.title, questions=[dict(q) for q in command.questions],
                        operator=command.operator_id, operator_name=s.operator_name)
    return _answered(s, e, _ack(command.ref, s, s.seq + 1))


def answer_survey(s: DialogState, cmd: messages.Inbound, now: float) -> messages.Decision:
    """The visitor answers a survey of their dialog, once, as its questions ask."""
    command = cmd.command
    assert isinstance(command, commands.AnswerSurvey)
    refused = not_the_visitors(s, cmd)
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


def answer_closed(s: DialogState, cmd: messages.Inbound, now: float,
                   cfg: EngineSettings) -> messages.Decision:
    """Closed (retiring): the answer goes to the store, which answers a closed dialog's
    survey from the journal (``engine/close_survey.py``), after this dialog's commits."""
    return messages.Decision((), (messages.Tell("store", messages.AnswerClosedSurvey(
        s.id, cmd)),))
