"""Search cost: the ranking reads the index alone; the articles' rows are read for the
few hits only (SQLite). Checked on SQLite's query plans of the statements a search runs, the
same on any machine under any load (a timed check failed under load); the time itself is
measured by ``python -m bench``'s knowledge table."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.knowledge_cost import QUESTIONS, synthetic
from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase


@pytest.fixture
def big_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    with KnowledgeBase(tmp_path / "kb.sqlite3", now=lambda: 1000.0) as kb:
        kb.create_many(synthetic(200), by="test")
        yield kb


def _plans(kb: KnowledgeBase, call: Callable[[], Any]) -> dict[str, list[str]]:
    """The statements ``call()`` ran on ``kb``'s connection, each with SQLite's query plan."""
    statements: list[str] = []
    connection = kb._db.connection()
    connection.set_trace_callback(statements.append)
    try:
        call()
    finally:
        connection.set_trace_callback(None)
    return {sql: [row[3] for row in connection.execute(
                f"EXPLAIN QUERY PLAN {sql}", (None,) * sql.count("?"))]
            for sql in statements if sql.lstrip().upper().startswith("SELECT")}


def test_a_search_ranks_in_the_index_then_reads_the_few_best_rows_by_key(
    big_kb: KnowledgeBase,
) -> None:
    plans = _plans(big_kb, lambda: big_kb.search(QUESTIONS[0], limit=5))
    ranked = [plan for sql, plan in plans.items() if "knowledge_fts" in sql]
    assert len(ranked) == 1, plans
    steps = ranked[0]
    # the ranking is limited in the index alone (a materialised subquery), then each of its
    # few rows finds its article by primary key; before, the join read every matching
    # article's row into the sort
    assert steps[0] == "MATERIALIZE f" and "SCAN knowledge_fts VIRTUAL TABLE" in steps[1], steps
    assert [s for s in steps if s.startswith(("SCAN a", "SEARCH a"))] == [
        "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)"], steps
    counted = [plan for sql, plan in plans.items() if "NOT enabled" in sql]
    assert counted == [["SCAN knowledge_article USING INDEX knowledge_article_disabled"]]


def test_disabled_articles_ranked_first_are_skipped_and_the_limit_still_filled(
    big_kb: KnowledgeBase,
) -> None:
    q = QUESTIONS[0]
    ranked = [h.article.id for h in big_kb.search(q, limit=12)]
    first = big_kb.search(q, limit=5)[:3]
    for hit in first:
        big_kb.update(hit.article.id, _disabled(hit.article), by="test")
    after = [h.article.id for h in big_kb.search(q, limit=5)]
    off = {h.article.id for h in first}
    assert after == [i for i in ranked if i not in off][:5]
    assert len(after) == 5


def _disabled(article: Article) -> ArticleDraft:
    names = {f.name for f in dataclasses.fields(ArticleDraft)}
    values = {name: getattr(article, name) for name in names}
    return ArticleDraft(**{**values, "enabled": False})
