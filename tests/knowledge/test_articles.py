"""Articles: created, changed, deleted, validated, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from frontdesk.adapters.knowledge import ArticleDraft, KnowledgeBase, KnowledgeError

DRAFT = ArticleDraft(
    "Opening hours",
    ("When are you open?", "Are you open on Sunday?"),
    "Open **Monday to Saturday**.",
    ("shop",),
)


def test_an_article_is_kept_changed_and_deleted(kb: KnowledgeBase) -> None:
    made = kb.create(DRAFT, by="maria")
    assert made.answer_html == "<p>Open <strong>Monday to Saturday</strong>.</p>"
    assert (made.changed_by, made.changed_at, made.enabled) == ("maria", 1000.0, True)
    assert kb.get(made.id) == made
    changed = kb.update(made.id, ArticleDraft("Hours", DRAFT.questions, "Always.", ()), by="ann")
    assert (changed.title, changed.changed_by, changed.tags) == ("Hours", "ann", ())
    assert [a.title for a in kb.articles()] == ["Hours"]
    assert kb.delete(made.id) is True
    assert kb.get(made.id) is None
    assert kb.delete(made.id) is False


def test_a_disabled_article_is_not_found(kb: KnowledgeBase) -> None:
    made = kb.create(DRAFT, by="maria")
    assert [h.article.id for h in kb.search("open sunday")] == [made.id]
    kb.update(made.id, ArticleDraft(DRAFT.title, DRAFT.questions, DRAFT.answer, (), False),
              by="maria")
    assert kb.search("open sunday") == []


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (ArticleDraft("", ("q",), "a"), "title: expected text, got nothing"),
        (ArticleDraft("t", (), "a"), "questions: expected at least one question"),
        (ArticleDraft("t", ("q", "\ud800"), "a"), r"questions\[1\]: expected text without lone"),
        (ArticleDraft("t", ("q",), "a" * 8001), "answer: expected at most 8000 characters"),
        (ArticleDraft("t", ("q",), "a", ("Bad Tag",)), r"tags\[0\]: expected lower-case"),
    ],
)
def test_a_bad_article_is_refused_naming_its_field(
    kb: KnowledgeBase, draft: ArticleDraft, message: str
) -> None:
    with pytest.raises(KnowledgeError, match=message):
        kb.create(draft, by="maria")
    assert kb.articles() == []


def test_changing_a_missing_article_names_it(kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeError, match="expected the id of an article, got 42"):
        kb.update(42, DRAFT, by="maria")
