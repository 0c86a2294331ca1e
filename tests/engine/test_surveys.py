"""Surveys in the dialog's state machine: sent by the holder (questions frozen), answered
once by the visitor as the questions ask; each refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.engine import commands, dialog_state, messages, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import Record
from frontdesk.engine.survey_answers import answer_problem
from tests.engine.test_dialog_state import CFG, T0, assigned, inbound, opened, replies, run

QUESTIONS: tuple[dict[str, Any], ...] = (
    {"kind": "rating", "text": "How was it?", "required": True, "options": []},
    {"kind": "single", "text": "Solved?", "required": False, "options": ["Yes", "No"]},
    {"kind": "multiple", "text": "Liked?", "required": False, "options": ["Speed", "Tone"]},
    {"kind": "text", "text": "More?", "required": False, "options": []},
)
SEND = commands.SendSurvey("ann", "d-1", 7, "Satisfaction", QUESTIONS, ref="s1")


def sent() -> tuple[dialog_state.DialogState, int]:
    s, d = run(assigned(), inbound(SEND))
    (entry,) = [e for e in d.events if isinstance(e, engine_events.SurveySent)]
    return s, entry.seq


def answer(survey: int, answers: tuple[Any, ...], token: str = "tok") -> commands.AnswerSurvey:
    return commands.AnswerSurvey("d-1", token, survey, answers, ref="a1")


def test_the_holder_sends_a_survey_and_the_visitor_answers_it_once() -> None:
    s, d = run(assigned(), inbound(SEND))
    (note,) = [f.notice for f in d.effects if isinstance(getattr(f, "notice", None),
                                                         notices.SurveySent)]
    assert isinstance(note, notices.SurveySent) and note.title == "Satisfaction"
    assert note.questions == list(QUESTIONS) and note.operator_name == "Ann"
    assert replies(d) == [notices.Ack("s1", "d-1", note.seq)]
    assert s.surveys == {note.seq: list(QUESTIONS)}
    s, d = run(s, inbound(answer(note.seq, (4, "Yes", ["Tone", "Speed"], "  Quick!  "))))
    (done,) = d.events
    assert isinstance(done, engine_events.SurveyAnswered)
    assert done.answers == [4, "Yes", ["Tone", "Speed"], "Quick!"] and done.survey == note.seq
    assert replies(d) == [notices.Ack("a1", "d-1", done.seq)]
    assert s.surveys == {} and s.answered_surveys == {note.seq}
    again, d = run(s, inbound(answer(note.seq, (5, None, None, None))))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "already_answered"
    assert refused.message == (
        f"cannot answer survey {note.seq} of dialog d-1: it was answered already")
    assert d.events == () and again == s


@pytest.mark.parametrize(("answers", "code", "message"), [
    ((None, None, None, None), "bad_answer",
     "answers[0]: expected an answer (question 'How was it?' is required), got none"),
    ((6, None, None, None), "bad_answer", "answers[0]: expected a rating from 1 to 5, got 6"),
    ((True, None, None, None), "bad_answer", "answers[0]: expected a rating from 1 to 5, got True"),
    ((3, "Maybe", None, None), "bad_answer",
     "answers[1]: expected one of 'Yes', 'No', got 'Maybe'"),
    ((3, None, ["Speed", "Speed"], None), "bad_answer",
     "answers[2]: expected different options, got one twice"),
    ((3, None, ["Price"], None), "bad_answer",
     "answers[2]: expected options among 'Speed', 'Tone', got 'Price'"),
    ((3, None, None, "x" * 2001), "bad_answer",
     "answers[3]: expected at most 2000 characters, got 2001"),
    ((3,), "bad_answer", "answers: expected 4 answers (one per question), got 1"),
])
def test_an_answer_that_does_not_fit_is_refused(answers: tuple[Any, ...], code: str,
                                               message: str) -> None:
    s, survey = sent()
    after, d = run(s, inbound(answer(survey, answers)))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == code
    assert refused.message == f"cannot answer survey {survey} of dialog d-1: {message}"
    assert d.events == () and after == s


def test_another_dialogs_survey_another_token_and_a_queued_send_are_refused() -> None:
    s, survey = sent()
    _, d = run(s, inbound(answer(survey + 5, (3, None, None, None))))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "no_survey"
    assert f"sent in this dialog and not answered yet ({survey}), got {survey + 5}" in (
        refused.message)
    _, d = run(s, inbound(answer(survey, (3, None, None, None), token="other")))
    assert [r.code for r in replies(d) if isinstance(r, notices.Rejected)] == ["forbidden"]
    _, d = run(opened(), inbound(SEND))  # queued: no holder may send one
    assert [r.code for r in replies(d) if isinstance(r, notices.Rejected)] == ["forbidden"]
    _, d = run(s, inbound(commands.SendSurvey("bob", "d-1", 7, "x", QUESTIONS)))
    assert [r.code for r in replies(d) if isinstance(r, notices.Rejected)] == ["forbidden"]


def test_a_survey_to_a_closed_dialog_is_refused() -> None:
    s, _ = run(assigned(), inbound(commands.OperatorClose("ann", "d-1")))
    _, d = run(s, inbound(SEND))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "closed"
    assert refused.message == "cannot send a survey in dialog d-1: it is closed"
    assert d.events == ()


def test_the_survey_events_replay_from_the_journal_to_the_same_state() -> None:
    s, events = opened(), []
    for msg in (messages.Assign("d-1", "ann", "Ann"), inbound(SEND),
                inbound(answer(3, (2, "No", None, None)))):
        d = dialog_state.decide(s, msg, T0, CFG)
        for e in d.events:
            events.append(e)
            s = dialog_state.apply(s, e)
    replayed = opened()
    for e in events:  # each through the journal's record: JSON-able, read back the same
        replayed = dialog_state.apply(replayed, engine_events.from_record(_record(e)))
    assert replayed.surveys == s.surveys == {} and replayed.answered_surveys == {3}
    assert [h.to_wire()["type"] for h in replayed.history][-2:] == [
        "dialog.survey", "dialog.survey_answered"]
    assert list(replayed.history) == list(s.history)


def _record(e: engine_events.Event) -> Record:
    ne = engine_events.to_new_event(e)
    return Record(1, 1, ne.stream, ne.type, ne.version, ne.data, ne.at)


def test_answer_problem_takes_an_empty_optional_answer() -> None:
    assert answer_problem(QUESTIONS, (1, "", [], "")) is None
