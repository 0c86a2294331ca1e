"""Surveys over real websockets: the operator's ``survey`` frame sends a template's
questions frozen in a ``dialog.survey`` entry; the visitor's ``survey_answer`` answers it
once; each bad one is refused with its code and nothing else is affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.client import RefusedError
from frontdesk.adapters.surveys import Question, SurveyDraft, SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS
from tests.mail.test_transcript_route import logged_in
from tests.web.nodes import Node


@pytest.fixture
def templates(tmp_path: Path) -> Iterator[SurveyTemplates]:
    with SurveyTemplates(tmp_path / "surveys.sqlite3") as store:
        store.create_many(DEMO_SURVEYS, by="demo")
        yield store


async def test_the_operator_sends_a_survey_and_the_visitor_answers_it_once(
        node: Node, templates: SurveyTemplates) -> None:
    node.ctx.surveys = templates
    satisfaction = templates.templates()[0]
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})

    ack = await ann.request({"type": "survey", "dialog": dialog, "survey": satisfaction.id})
    # changed after sending: the dialog keeps the questions as they were
    templates.update(satisfaction.id, SurveyDraft("Satisfaction", (Question("text", "New?"),)),
                     by="maria")
    sent = await vera.expect("dialog.survey")
    assert sent["seq"] == ack["seq"] and sent["title"] == "Satisfaction"
    assert [q["kind"] for q in sent["questions"]] == ["rating", "single", "multiple", "text"]
    assert sent["operator_name"] == "Ann"

    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "survey_answer", "survey": sent["seq"],
                            "answers": [9, "Yes", None, None]})
    assert refused.value.code == "bad_answer"
    assert "answers[0]: expected a rating from 1 to 5, got 9" in refused.value.frame["message"]
    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "survey_answer", "survey": sent["seq"] + 40,
                            "answers": [5, "Yes", None, None]})
    assert refused.value.code == "no_survey"
    with pytest.raises(RefusedError) as refused:  # not a list: the wire refuses it
        await vera.request({"type": "survey_answer", "survey": sent["seq"], "answers": "5"})
    assert refused.value.code == "bad_field"

    done = await vera.request({"type": "survey_answer", "survey": sent["seq"],
                               "answers": [5, "Partly", ["Speed"], " Thanks "]})
    seen = await ann.expect({"type": "dialog.survey_answered", "dialog": dialog})
    assert seen["seq"] == done["seq"] and seen["survey"] == sent["seq"]
    assert seen["answers"] == [5, "Partly", ["Speed"], "Thanks"]
    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "survey_answer", "survey": sent["seq"],
                            "answers": [1, "No", None, None]})
    assert refused.value.code == "already_answered"
    # nothing else was affected: the dialog goes on
    said = await vera.say("All good")
    assert said["seq"] == done["seq"] + 1


async def test_an_unknown_template_and_a_closed_dialog_are_refused(
        node: Node, templates: SurveyTemplates) -> None:
    node.ctx.surveys = templates
    survey_id = templates.templates()[0].id
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    with pytest.raises(RefusedError) as refused:
        await ann.request({"type": "survey", "dialog": dialog, "survey": survey_id + 9})
    assert refused.value.code == "no_survey"
    assert refused.value.frame["message"] == (
        f"survey.survey: expected the id of a survey template, got {survey_id + 9}")
    await ann.close(dialog)
    with pytest.raises(RefusedError) as refused:
        await ann.request({"type": "survey", "dialog": dialog, "survey": survey_id})
    assert refused.value.code in ("closed", "unknown_dialog")


async def test_the_results_count_per_template_and_per_operator(
        node: Node, templates: SurveyTemplates) -> None:
    node.ctx.surveys = templates
    survey_id = templates.templates()[0].id
    ann = await node.operator("ann")
    await ann.set_status("connected")
    answers = ([5, "Yes", ["Speed", "Knowledge"], "Great"], [2, "No", None, None], None)
    for i, given in enumerate(answers):
        visitor = await node.visitor()
        dialog = (await visitor.open(f"V{i}"))["dialog"]
        await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
        sent = await ann.request({"type": "survey", "dialog": dialog, "survey": survey_id})
        if given is not None:
            await visitor.request({"type": "survey_answer", "survey": sent["seq"],
                                   "answers": given})
    async with logged_in(node, "maria") as maria, logged_in(node, "ann") as ann_http:
        figures = (await maria.get("/api/surveys/results")).json()
        (t,) = figures["templates"]
        assert (t["title"], t["sent"], t["answered"]) == ("Satisfaction", 3, 2)
        assert t["response_rate"] == 0.6667 and t["average_rating"] == 3.5
        rating, single, multiple, text = t["questions"]
        assert (rating["answers"], rating["average"]) == (2, 3.5)
        assert single["counts"] == {"Yes": 1, "Partly": 0, "No": 1}
        assert multiple["counts"] == {"Speed": 1, "Friendliness": 0, "Knowledge": 1}
        assert [a["text"] for a in text["answers"]] == ["Great"]
        assert figures["operators"] == [{"operator": "ann", "name": "Ann", "sent": 3,
                                         "answered": 2, "response_rate": 0.6667,
                                         "average_rating": 3.5}]
        exported = await maria.get("/api/surveys/results?format=csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        assert "question,1,Satisfaction,Did we solve your problem?,single,Yes,1" in exported.text
        bad = await maria.get("/api/surveys/results?format=xml")
        assert bad.status_code == 400
        assert bad.json()["error"]["message"] == "format: expected one of json, csv, got 'xml'"
        assert (await ann_http.get("/api/surveys/results")).status_code == 403
