"""The survey a close sends (``[surveys] on_close``) and its answer after the close: the
pure decisions, then the engine end to end on a manual clock (the window's expiry)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

from frontdesk.engine import close_survey, commands, dialog_state, messages, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.close_survey_board import CloseSurvey, CloseSurveyBoard
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.survey_results import results
from frontdesk.engine.testing import EngineHarness
from tests.engine.test_dialog_state import T0, assigned, inbound, opened, replies
from tests.engine.test_surveys import QUESTIONS, SEND

WINDOW = 3600.0
TEMPLATE = CloseSurvey(7, "Satisfaction", QUESTIONS)


def settings(title: str = "Satisfaction", survey: CloseSurvey | None = TEMPLATE,
             **more: Any) -> EngineSettings:
    cfg = EngineSettings(visitor_inactivity_timeout_s=100, survey_on_close=title,
                         survey_answer_window_s=WINDOW, **more)
    cfg.close_surveys.set(survey)
    return cfg


def run(s: dialog_state.DialogState, msg: object, cfg: EngineSettings,
        now: float = T0) -> tuple[dialog_state.DialogState, messages.Decision]:
    d = dialog_state.decide(s, msg, now, cfg)
    for e in d.events:
        s = dialog_state.apply(s, e)
    return s, d


def closed_with_survey(now: float = T0) -> tuple[dialog_state.DialogState, int]:
    s, d = run(assigned(), inbound(commands.OperatorClose("ann", "d-1", ref="c")), settings(),
               now)
    survey, _ = d.events
    assert isinstance(survey, engine_events.SurveySent)
    return s, survey.seq


def answer(survey: int, answers: tuple[Any, ...] = (5, "Yes", None, "Thanks"),
           token: str = "tok") -> messages.Inbound:
    return inbound(commands.AnswerSurvey("d-1", token, survey, answers, ref="a"))


# --- the close ------------------------------------------------------------------------


def test_an_operators_close_freezes_the_survey_into_the_dialog_before_the_close() -> None:
    s, d = run(assigned(), inbound(commands.OperatorClose("ann", "d-1", ref="c")), settings(),
               T0 + 10)
    survey, closed = d.events
    assert isinstance(survey, engine_events.SurveySent)
    assert isinstance(closed, engine_events.DialogClosed)
    assert (survey.seq, closed.seq) == (3, 4)
    assert survey.questions == list(QUESTIONS) and survey.template == 7
    assert survey.operator == "ann" and survey.operator_name == "Ann"
    assert survey.answer_until == T0 + 10 + WINDOW
    assert replies(d) == [notices.Ack("c", "d-1", 4)]  # the close's ack names the close
    published = [f.notice.TYPE for f in d.effects if isinstance(f, messages.Publish)]
    assert published == ["dialog.survey", "dialog.closed"]
    assert s.phase is dialog_state.Phase.CLOSED and s.close_survey == (3, T0 + 10 + WINDOW)
    assert [n.TYPE for n in s.history][-2:] == ["dialog.survey", "dialog.closed"]


@pytest.mark.parametrize("close", [
    commands.VisitorClose("d-1", "tok"), commands.ManagerClose("mia", "d-1")])
def test_the_visitors_and_a_managers_close_send_it_too(close: commands.Command) -> None:
    _, d = run(assigned(), inbound(close), settings())
    assert [e.TYPE for e in d.events] == ["dialog.survey", "dialog.closed"]


def test_the_inactivity_close_sends_it() -> None:
    _, d = run(assigned(), messages.Tick("inactivity", 0), settings(), T0 + 100)
    assert [e.TYPE for e in d.events] == ["dialog.survey", "dialog.closed"]


@pytest.mark.parametrize(("why", "cfg", "state", "msg"), [
    ("not configured", settings(title=""), assigned,
     inbound(commands.OperatorClose("ann", "d-1"))),
    ("the visitor left (grace period)", settings(), assigned,
     inbound(commands.VisitorLeft("d-1", 30.0))),
    ("queued: nobody served them", settings(), opened,
     inbound(commands.VisitorClose("d-1", "tok"))),
])
def test_closes_that_send_no_survey(why: str, cfg: EngineSettings,
                                    state: Any, msg: object) -> None:
    s, d = run(state(), msg, cfg)
    assert [e.TYPE for e in d.events] == ["dialog.closed"], why
    assert s.close_survey is None


def test_a_title_that_names_no_template_closes_without_a_survey_and_says_so(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "frontdesk.engine"):
        _, d = run(assigned(), inbound(commands.OperatorClose("ann", "d-1", ref="c")),
                   settings(title="Gone", survey=None))
    assert [e.TYPE for e in d.events] == ["dialog.closed"]
    assert replies(d) == [notices.Ack("c", "d-1", 3)]
    assert "[surveys] on_close names 'Gone', which is no survey template" in caplog.text
    assert "dialog d-1 closes without a survey" in caplog.text


def test_a_closed_dialogs_actor_hands_an_answer_to_the_store() -> None:
    s, survey = closed_with_survey()
    msg = answer(survey)
    _, d = run(s, msg, settings())
    assert d.events == ()
    assert [(f.address, f.message) for f in d.effects if isinstance(f, messages.Tell)] == [
        ("store", messages.AnswerClosedSurvey("d-1", msg))]
    _, d = run(s, inbound(SEND), settings())  # the operator still cannot send one
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "closed"


# --- the answer after the close ---------------------------------------------------------


def test_the_answer_after_the_close_is_the_dialogs_next_entry_once() -> None:
    s, survey = closed_with_survey()
    d = close_survey.answer_after_close(s, answer(survey), T0 + WINDOW - 1)
    (e,) = d.events
    assert isinstance(e, engine_events.SurveyAnswered)
    assert (e.seq, e.survey, e.answers) == (s.seq + 1, survey, [5, "Yes", None, "Thanks"])
    ack, entry = replies(d)
    assert ack == notices.Ack("a", "d-1", e.seq)
    assert isinstance(entry, notices.SurveyAnswered) and entry.survey == survey
    after = dialog_state.apply(s, e)
    again = close_survey.answer_after_close(after, answer(survey), T0 + 5)
    (refused,) = replies(again)
    assert isinstance(refused, notices.Rejected) and refused.code == "already_answered"
    assert refused.message == (
        f"cannot answer survey {survey} of dialog d-1: it was answered already")
    assert again.events == ()


@pytest.mark.parametrize(("msg", "now", "code", "message"), [
    (answer(3), T0 + WINDOW, "survey_expired", "its answer window ended at 4600 (it is 4600)"),
    (answer(3, (9, None, None, None)), T0, "bad_answer",
     "answers[0]: expected a rating from 1 to 5, got 9"),
    (answer(2), T0, "no_survey",
     "expected the number of the survey sent with the close of this dialog (3), got 2"),
    (answer(3, token="other"), T0, "forbidden", "not your dialog"),
])
def test_refused_answers_after_the_close(msg: messages.Inbound, now: float, code: str,
                                         message: str) -> None:
    s, survey = closed_with_survey()
    assert survey == 3
    d = close_survey.answer_after_close(s, msg, now)
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == code
    command = msg.command
    assert isinstance(command, commands.AnswerSurvey)
    assert refused.message == f"cannot answer survey {command.survey} of dialog d-1: {message}"
    assert d.events == ()


def test_an_open_dialog_without_its_actor_is_unavailable() -> None:
    d = close_survey.answer_after_close(assigned(), answer(3), T0)
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "unavailable"
    assert refused.message == ("cannot answer survey 3 of dialog d-1: the dialog is "
                               "unavailable (its actor kept failing)")


def test_a_survey_the_operator_sent_before_the_close_is_not_answered_after_it() -> None:
    s, _ = run(assigned(), inbound(SEND), settings())
    s, _ = run(s, inbound(commands.OperatorClose("ann", "d-1")), settings())
    assert s.surveys.keys() == {3, 4}  # the operator's (3) and the close's (4)
    d = close_survey.answer_after_close(s, answer(3), T0)
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "closed"
    assert "only the survey sent with the close is answered after it" in refused.message


def test_a_window_that_is_no_time_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"survey_answer_window_s: expected a number of "
                       r"seconds > 0, got 0"):
        EngineSettings(survey_answer_window_s=0)


def test_the_board_holds_what_the_adapter_set() -> None:
    board = CloseSurveyBoard()
    assert board.current() is None
    board.set(TEMPLATE)
    assert board.current() is TEMPLATE
    assert EngineSettings() == dataclasses.replace(EngineSettings())  # not compared


# --- the engine ---------------------------------------------------------------------------


def test_engine_close_answer_expiry_and_restart_on_a_manual_clock() -> None:
    journal = MemoryJournal()
    with EngineHarness(settings(), journal) as h:
        ann = h.login("ann")
        vera, vic = h.visitor("Vera"), h.visitor("Vic")
        vera.open()
        vic.open()
        assert isinstance(ann.close(vera), notices.Ack)
        assert isinstance(ann.close(vic), notices.Ack)
        sent = vera.probe.expect({"type": "dialog.survey", "title": "Satisfaction"})
        assert isinstance(sent, notices.SurveySent)
        assert sent.answer_until == h.clock.now() + WINDOW
        vera.probe.expect({"type": "dialog.closed"})
        h.settle()
        assert f"dialog:{vera.dialog}" not in h.addresses("dialog:")  # retired
        cmd = commands.AnswerSurvey(vera._need(), vera.token_hash, sent.seq, (4, None, None, ""),
                                    ref="a1")
        done = h.command(cmd)
        assert done == notices.Ack("a1", vera.dialog, sent.seq + 2)
        again = h.command(dataclasses.replace(cmd, ref="a2"))
        assert isinstance(again, notices.Rejected) and again.code == "already_answered"
        other = h.command(dataclasses.replace(cmd, token_hash=vic.token_hash, ref="a3"))
        assert isinstance(other, notices.Rejected) and other.code == "forbidden"
        unknown = h.command(dataclasses.replace(cmd, dialog_id="d-99", ref="a4"))
        assert isinstance(unknown, notices.Rejected) and unknown.code == "unknown_dialog"
        h.restart()  # the answer and the close's survey are the journal's
        h.advance(WINDOW)
        late = h.command(commands.AnswerSurvey(vic._need(), vic.token_hash, sent.seq,
                                               (4, None, None, None), ref="a5"))
        assert isinstance(late, notices.Rejected) and late.code == "survey_expired"
        figures = results(journal.read())
    (template,) = figures["templates"]
    assert (template["sent"], template["answered"]) == (2, 1)
    assert template["questions"][0]["average"] == 4
    stream = [r.type for r in journal.read(0, f"dialog:{vera.dialog}")]
    assert stream[-3:] == ["dialog.survey", "dialog.closed", "dialog.survey_answered"]
