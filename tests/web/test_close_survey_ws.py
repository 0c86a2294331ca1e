"""The survey a close sends (``[surveys] on_close``) over real loopback websockets: the
operator closes, the visitor gets the ``dialog.survey`` before the ``dialog.closed``,
answers it after the close (also from a reloaded page, by the dialog's token), the results
count it; the refusals (second answer, expired, not fitting, another dialog's survey,
another dialog's token) change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.client import RefusedError
from frontdesk.adapters.surveys import SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS
from frontdesk.adapters.surveys.on_close import CloseSurveyKeeper
from frontdesk.engine.settings import EngineSettings
from tests.mail.test_transcript_route import logged_in
from tests.web.nodes import Node

WINDOW = 3600.0


@pytest.fixture
def engine_settings() -> EngineSettings:
    return EngineSettings(survey_on_close="Satisfaction", survey_answer_window_s=WINDOW)


@pytest.fixture
def templates(tmp_path: Path) -> Iterator[SurveyTemplates]:
    with SurveyTemplates(tmp_path / "surveys.sqlite3") as store:
        store.create_many(DEMO_SURVEYS, by="demo")
        yield store


def keep(node: Node, templates: SurveyTemplates) -> None:
    node.ctx.surveys = templates
    settings = node.engine.settings
    assert CloseSurveyKeeper(templates, settings.survey_on_close,
                             settings.close_surveys).start() is not None


async def test_the_close_sends_the_survey_and_the_visitor_answers_it_after_the_close(
        node: Node, templates: SurveyTemplates) -> None:
    keep(node, templates)
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera, vic = await node.visitor(), await node.visitor()
    opened = await vera.open("Vera")
    dialog, token = opened["dialog"], opened["data"]["token"]
    other = (await vic.open("Vic"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.expect({"type": "operator.dialog_added", "dialog": other})
    closed = await ann.close(dialog)
    sent = await vera.expect("dialog.survey")
    assert sent["title"] == "Satisfaction" and sent["seq"] == closed["seq"] - 1
    assert sent["answer_until"] == pytest.approx(node.clock.now() + WINDOW)
    assert (await vera.expect("dialog.closed"))["seq"] == closed["seq"]

    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "survey_answer", "dialog": dialog, "survey": sent["seq"],
                            "answers": [9, None, None, None]})
    assert refused.value.code == "bad_answer"
    assert "answers[0]: expected a rating from 1 to 5, got 9" in refused.value.frame["message"]
    with pytest.raises(RefusedError) as refused:  # a survey number this dialog never sent
        await vera.request({"type": "survey_answer", "dialog": dialog, "survey": 1,
                            "answers": [5, None, None, None]})
    assert refused.value.code == "no_survey"

    reloaded = await node.visitor()  # the page reloaded: its kept dialog and token
    await reloaded.resume(dialog, token, after_seq=0)
    again = await reloaded.expect("dialog.survey")
    assert again["seq"] == sent["seq"]
    await reloaded.expect("dialog.closed")
    done = await reloaded.request({"type": "survey_answer", "dialog": dialog,
                                   "survey": sent["seq"], "answers": [4, "Yes", None, " Nice "]})
    assert done["seq"] == closed["seq"] + 1
    entry = await reloaded.expect("dialog.survey_answered")
    assert entry["seq"] == done["seq"] and entry["answers"] == [4, "Yes", None, "Nice"]
    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "survey_answer", "dialog": dialog, "survey": sent["seq"],
                            "answers": [1, None, None, None]})
    assert refused.value.code == "already_answered"

    async with logged_in(node, "maria") as maria, logged_in(node, "ann") as ann_http:
        figures = (await maria.get("/api/surveys/results")).json()
        # the operator's history of the closed dialog (print view) goes on to the answer
        history = (await ann_http.get(f"/api/dialogs/{dialog}/history")).json()
    assert history["closed"] is True
    assert [e["type"] for e in history["entries"]][-3:] == [
        "dialog.survey", "dialog.closed", "dialog.survey_answered"]
    assert history["entries"][-1]["answers"] == [4, "Yes", None, "Nice"]
    (t,) = figures["templates"]
    assert (t["title"], t["sent"], t["answered"]) == ("Satisfaction", 1, 1)
    assert t["average_rating"] == 4


async def test_another_socket_and_the_end_of_the_window_are_refused(
        node: Node, templates: SurveyTemplates) -> None:
    keep(node, templates)
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera, vic = await node.visitor(), await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    other = (await vic.open("Vic"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.expect({"type": "operator.dialog_added", "dialog": other})
    await ann.close(dialog)
    sent = await vera.expect("dialog.survey")
    # another dialog's visitor cannot answer this one; the window ends
    with pytest.raises(RefusedError) as refused:
        await vic.request({"type": "survey_answer", "dialog": dialog, "survey": sent["seq"],
                           "answers": [5, None, None, None]})
    assert refused.value.code == "invalid"  # this socket holds no token of that dialog
    other_closed = await ann.close(other)
    other_sent = await vic.expect({"type": "dialog.survey", "dialog": other})
    assert other_sent["seq"] == other_closed["seq"] - 1
    await node.advance(WINDOW)
    with pytest.raises(RefusedError) as refused:
        await vic.request({"type": "survey_answer", "dialog": other, "survey": other_sent["seq"],
                           "answers": [5, None, None, None]})
    assert refused.value.code == "survey_expired"
    assert "its answer window ended" in refused.value.frame["message"]
    # the operator still cannot send a survey to the closed dialog
    with pytest.raises(RefusedError) as refused:
        await ann.request({"type": "survey", "dialog": other,
                           "survey": templates.templates()[0].id})
    assert refused.value.code == "closed"


async def test_a_resume_with_another_dialogs_token_is_refused(
        node: Node, templates: SurveyTemplates) -> None:
    keep(node, templates)
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera, vic = await node.visitor(), await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    vic_token = (await vic.open("Vic"))["data"]["token"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.close(dialog)
    await vera.expect("dialog.closed")
    stranger = await node.visitor()
    with pytest.raises(RefusedError) as refused:
        await stranger.resume(dialog, vic_token, after_seq=0)
    assert refused.value.code == "forbidden"


async def test_a_title_that_names_no_template_closes_without_a_survey(
        node: Node, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with SurveyTemplates(tmp_path / "empty.sqlite3") as empty:
        node.ctx.surveys = empty
        settings = node.engine.settings
        assert CloseSurveyKeeper(empty, settings.survey_on_close,
                                 settings.close_surveys).start() is None
        assert "[surveys] on_close names 'Satisfaction', which is no survey template" in (
            caplog.text)
        ann = await node.operator("ann")
        await ann.set_status("connected")
        vera = await node.visitor()
        dialog = (await vera.open("Vera"))["dialog"]
        await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
        closed = await ann.close(dialog)
        entry = await vera.expect("dialog.closed")
        assert entry["seq"] == closed["seq"] == 3  # no survey entry before it
        assert "dialog d-1 closes without a survey" in caplog.text
