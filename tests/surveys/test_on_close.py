"""CloseSurveyKeeper: the board follows the template ``[surveys] on_close`` names, on a
real SQLite store, through edits, a rename, a deletion and a re-creation."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from frontdesk.adapters.surveys import Question, SurveyDraft, SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS
from frontdesk.adapters.surveys.on_close import CloseSurveyKeeper
from frontdesk.engine.close_survey_board import CloseSurveyBoard


def test_the_board_follows_the_named_template(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with SurveyTemplates(tmp_path / "s.sqlite3") as store:
        (survey,) = store.create_many(DEMO_SURVEYS, by="demo")
        board = CloseSurveyBoard()
        found = CloseSurveyKeeper(store, "satisfaction", board).start()
        assert found is not None and board.current() == found
        assert (found.template, found.title) == (survey.id, "Satisfaction")
        assert [q["kind"] for q in found.questions] == ["rating", "single", "multiple", "text"]
        store.update(survey.id, SurveyDraft("Satisfaction", (Question("text", "Why?"),)),
                     by="maria")
        now = board.current()
        assert now is not None and [q["text"] for q in now.questions] == ["Why?"]
        with caplog.at_level(logging.WARNING, "frontdesk.surveys"):
            store.update(survey.id, SurveyDraft("Renamed", (Question("text", "Why?"),)),
                         by="maria")
        assert board.current() is None
        assert "the template 'satisfaction' is gone" in caplog.text
        store.create(SurveyDraft("Satisfaction", (Question("rating", "Stars?"),)), by="maria")
        again = board.current()
        assert again is not None and again.template != survey.id
        store.delete(again.template)
        assert board.current() is None


def test_no_title_no_store_and_an_unknown_title(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    board = CloseSurveyBoard()
    assert CloseSurveyKeeper(None, "", board).start() is None
    with caplog.at_level(logging.WARNING, "frontdesk.surveys"):
        assert CloseSurveyKeeper(None, "CSAT", board).start() is None
        assert "this server keeps no survey templates" in caplog.text
        with SurveyTemplates(tmp_path / "s.sqlite3") as store:
            assert CloseSurveyKeeper(store, "CSAT", board).start() is None
            assert "on_close names 'CSAT', which is no survey template now" in caplog.text
            store.create(SurveyDraft("CSAT", (Question("rating", "Stars?"),)), by="maria")
            assert board.current() is not None  # created later: the next close sends it
