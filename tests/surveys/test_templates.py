"""What a survey template's JSON must be: each refusal names the field, expected and got."""

from __future__ import annotations

import pytest

from frontdesk.adapters.surveys import SurveyError, draft_of

RATING = {"kind": "rating", "text": "How was it?"}


def test_a_good_body_becomes_a_trimmed_draft() -> None:
    draft = draft_of({"title": " Satisfaction ", "questions": [
        {**RATING, "required": True},
        {"kind": "multiple", "text": "Liked?", "options": [" Speed", "Tone "]},
        {"kind": "text", "text": "More?", "options": []}]})
    assert draft.title == "Satisfaction"
    assert [q.kind for q in draft.questions] == ["rating", "multiple", "text"]
    assert draft.questions[0].required and not draft.questions[1].required
    assert draft.questions[1].options == ("Speed", "Tone")


@pytest.mark.parametrize(("body", "message"), [
    ([], "body: expected a JSON object, got a list"),
    ({"title": "t", "questions": [RATING], "x": 1},
     "x: expected one of title, questions, got an unknown field"),
    ({"questions": [RATING]}, "title: expected text, got nothing"),
    ({"title": "t", "questions": {}}, "questions: expected a list of questions, got an object"),
    ({"title": "t", "questions": []}, "questions: expected 1 to 20 questions, got 0"),
    ({"title": "t", "questions": [RATING] * 21}, "questions: expected 1 to 20 questions, got 21"),
    ({"title": "t", "questions": [RATING, "q"]},
     "questions[1]: expected a JSON object, got text"),
    ({"title": "t", "questions": [{"kind": "stars", "text": "x"}]},
     "questions[0].kind: expected one of rating, single, multiple, text, got 'stars'"),
    ({"title": "t", "questions": [{"kind": "text", "text": " "}]},
     "questions[0].text: expected text, got nothing"),
    ({"title": "t", "questions": [{**RATING, "required": "yes"}]},
     "questions[0].required: expected true or false, got text"),
    ({"title": "t", "questions": [{"kind": "single", "text": "x", "options": ["a"]}]},
     "questions[0].options: expected 2 to 10 options, got 1"),
    ({"title": "t", "questions": [{"kind": "single", "text": "x", "options": ["a", "a"]}]},
     "questions[0].options: expected different options, got one twice"),
    ({"title": "t", "questions": [{"kind": "single", "text": "x", "options": ["a", 3]}]},
     "questions[0].options[1]: expected text, got a number"),
    ({"title": "t", "questions": [{**RATING, "options": ["a", "b"]}]},
     "questions[0].options: expected none for a rating question, got a list"),
    ({"title": "t\ud800", "questions": [RATING]}, "title: expected text without lone surrogates"),
    ({"title": "t" * 121, "questions": [RATING]},
     "title: expected at most 120 characters, got 121"),
])
def test_bad_bodies_are_refused_naming_the_field(body: object, message: str) -> None:
    with pytest.raises(SurveyError) as refused:
        draft_of(body)
    assert str(refused.value).startswith(message), str(refused.value)
