"""Import and export: a round trip, and a bad line refuses the whole import naming it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES
from frontdesk.adapters.knowledge.transfer import (
    ImportRefusedError,
    Problem,
    export_csv,
    export_json,
    import_csv,
    import_json,
)


@pytest.mark.parametrize(("export", "load"), [(export_json, import_json), (export_csv, import_csv)])
def test_an_export_imports_as_the_same_articles(
    kb: KnowledgeBase,
    export: Callable[[Sequence[Article]], str],
    load: Callable[[str], list[ArticleDraft]],
) -> None:
    kb.create_many(DEMO_ARTICLES[:5], by="maria")
    drafts = load(export(kb.articles()))
    assert drafts == [d.checked() for d in DEMO_ARTICLES[:5]]


def test_a_bad_csv_line_names_line_and_field_and_nothing_is_imported(kb: KnowledgeBase) -> None:
    text = (
        "title,questions,answer,tags,enabled\n"
        'Hours,"When are you open?\nSunday?",We open at 9.,shop,true\n'
        "Bad,,An answer.,shop,true\n"
        "Tags,Q?,A.,Bad!Tag,maybe\n"
    )
    with pytest.raises(ImportRefusedError) as refused:
        import_csv(text)
    assert refused.value.problems == (
        Problem(4, "questions", "expected at least one question, got none"),
        Problem(5, "enabled", "expected true or false, got 'maybe'"),
    )
    assert kb.articles() == []


def test_a_bad_json_item_names_its_line_and_field() -> None:
    text = (
        '[{"title": "t", "questions": ["q"], "answer": "a"},'
        ' {"title": 3, "questions": ["q"], "answer": "a"}, 7]'
    )
    with pytest.raises(ImportRefusedError) as refused:
        import_json(text)
    assert refused.value.problems == (
        Problem(2, "title", "expected text, got int"),
        Problem(3, "(record)", "expected an object, got int"),
    )
