"""The survey templates' store on SQLite and PostgreSQL: whole templates, unique titles."""

from __future__ import annotations

import pytest

from frontdesk.adapters.surveys import Question, SurveyDraft, SurveyError, SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS

QUICK = SurveyDraft("Quick", (Question("rating", "How was it?", required=True),
                              Question("single", "Solved?", options=("Yes", "Nö"))))


def test_a_template_is_kept_whole_and_changed_whole(surveys: SurveyTemplates) -> None:
    made = surveys.create(QUICK, by="maria")
    assert made.changed_by == "maria" and made.changed_at == 1000.0
    assert surveys.get(made.id) == made and surveys.templates() == [made]
    assert made.questions[1].options == ("Yes", "Nö") and made.questions[0].required
    longer = SurveyDraft("Quick", (*QUICK.questions, Question("text", "Anything else?")))
    changed = surveys.update(made.id, longer, by="ines")
    assert changed is not None and changed.changed_by == "ines"
    assert surveys.get(made.id) == changed and len(changed.questions) == 3
    assert surveys.update(made.id + 99, longer, by="ines") is None
    assert surveys.delete(made.id) and not surveys.delete(made.id)
    assert surveys.templates() == []


def test_titles_are_unique_and_found_by_title_or_id(surveys: SurveyTemplates) -> None:
    made, *_ = surveys.create_many(DEMO_SURVEYS, by="demo")
    with pytest.raises(SurveyError, match=r"title: expected one no other survey has, got "
                       r"'SATISFACTION' \(taken\)"):
        surveys.create(SurveyDraft("SATISFACTION", QUICK.questions), by="maria")
    assert surveys.templates() == [made]  # nothing else was made
    assert surveys.find("satisfaction ") == made and surveys.find(str(made.id)) == made
    assert surveys.find("Nope") is None
    # a template keeps its own title when changed
    assert surveys.update(made.id, SurveyDraft("Satisfaction", QUICK.questions), by="x")
    quick = surveys.create(QUICK, by="maria")
    with pytest.raises(SurveyError, match="title: expected one no other survey has"):
        surveys.update(quick.id, SurveyDraft("satisfaction", QUICK.questions), by="maria")


@pytest.mark.parametrize("survey_id", [0, -1, 2**63, 10**30])
def test_an_id_no_row_can_have_is_no_template(surveys: SurveyTemplates, survey_id: int) -> None:
    """The operator's ``survey`` frame names a template by number, any JSON integer: one
    beyond the database's integers was an OverflowError that closed the socket 1011 (found
    by the fuzz suite); it is no template, as any other unknown id."""
    surveys.create(QUICK, by="maria")
    assert surveys.get(survey_id) is None
    assert surveys.update(survey_id, QUICK, by="maria") is None
    assert not surveys.delete(survey_id)
