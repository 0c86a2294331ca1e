"""The predefined answers' store on SQLite and PostgreSQL: kinds, shortcuts, checks."""

from __future__ import annotations

import pytest

from frontdesk.adapters.predefined import AnswerDraft, PredefinedAnswers, PredefinedError
from frontdesk.adapters.predefined.demo import DEMO_ANSWERS

HOURS = AnswerDraft("Opening hours", "Hi {visitor.name}, we open at 9.", "/Hours")


def test_shared_and_personal_answers_are_kept_apart(answers: PredefinedAnswers) -> None:
    shared = answers.create(HOURS, owner=None, by="maria")
    mine = answers.create(AnswerDraft("My hello", "Hello, I'm {operator.name}", None),
                          owner="ann", by="ann")
    assert shared.shared and shared.shortcut == "hours" and shared.changed_at == 1000.0
    assert mine.owner == "ann" and mine.shortcut is None
    assert [a.title for a in answers.visible_to("ann")] == ["My hello", "Opening hours"]
    assert [a.title for a in answers.visible_to("bob")] == ["Opening hours"]
    assert answers.personal("bob") == [] and answers.shared() == [shared]
    # one's own, never another's: bob cannot change or delete ann's, nor a shared one
    assert answers.update(mine.id, HOURS, owner="bob", by="bob") is None
    assert not answers.delete(mine.id, owner="bob") and not answers.delete(shared.id, owner="ann")
    changed = answers.update(mine.id, AnswerDraft("My hello", "Hi!", "hi"), owner="ann", by="ann")
    assert changed is not None and changed.text == "Hi!" and changed.shortcut == "hi"
    assert answers.delete(mine.id, owner="ann") and answers.personal("ann") == []


def test_a_shortcut_is_unique_within_its_kind(answers: PredefinedAnswers) -> None:
    answers.create(HOURS, owner=None, by="maria")
    with pytest.raises(PredefinedError, match=r"shortcut: expected one no other shared answer "
                       r"has, got /hours \(already the shortcut of 'Opening hours'\)"):
        answers.create(AnswerDraft("Hours 2", "x", "hours"), owner=None, by="maria")
    personal = answers.create(AnswerDraft("Hours, mine", "x", "hours"), owner="ann", by="ann")
    other = answers.create(AnswerDraft("Other", "y", "other"), owner="ann", by="ann")
    with pytest.raises(PredefinedError, match="answer of yours"):
        answers.update(other.id, AnswerDraft("Other", "y", "hours"), owner="ann", by="ann")
    same = answers.update(personal.id, AnswerDraft("Hours, mine", "z", "hours"), owner="ann",
                          by="ann")
    assert same is not None and same.text == "z"
    answers.create(AnswerDraft("No shortcut", "a"), owner="ann", by="ann")
    answers.create(AnswerDraft("No shortcut either", "b"), owner="ann", by="ann")


@pytest.mark.parametrize(("draft", "message"), [
    (AnswerDraft("", "x"), "title: expected text, got nothing"),
    (AnswerDraft("t" * 121, "x"), "title: expected at most 120 characters, got 121"),
    (AnswerDraft("t", 5), "text: expected text, got int"),  # type: ignore[arg-type]
    (AnswerDraft("t", "x" * 4001), "text: expected at most 4000 characters, got 4001"),
    (AnswerDraft("t", "a\ud800"), "text: expected text without lone surrogates"),
    (AnswerDraft("t", "x", "two words"), "shortcut: expected 1 to 30 lower-case letters"),
    (AnswerDraft("t", "x", 7), "shortcut: expected text or null, got int"),  # type: ignore[arg-type]
])
def test_bad_drafts_are_refused_naming_the_field(answers: PredefinedAnswers, draft: AnswerDraft,
                                                  message: str) -> None:
    with pytest.raises(PredefinedError, match=message.replace("(", r"\(")):
        answers.create(draft, owner=None, by="maria")
    assert answers.shared() == []


def test_the_demo_answers_are_valid_and_have_hours_hello_and_returns(
        answers: PredefinedAnswers) -> None:
    made = answers.create_many(DEMO_ANSWERS, owner=None, by="demo")
    assert {"hours", "hello", "returns"} <= {a.shortcut for a in made}
