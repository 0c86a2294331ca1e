"""Search cost: the ranking reads the index alone; the articles' rows are read for the
few hits only (SQLite; CPU time of this thread against the FTS5 ranking alone)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.knowledge_cost import QUESTIONS, synthetic
from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase


def _cpu_ms(call: Callable[[], Any], rounds: int = 5) -> float:
    """The least CPU time of this thread ``call()`` took in ``rounds`` runs (the least is
    the cost itself; what the machine's other work adds only makes a run longer)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.thread_time()
        call()
        best = min(best, time.thread_time() - started)
    return best * 1000


@pytest.fixture
def big_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    with KnowledgeBase(tmp_path / "kb.sqlite3", now=lambda: 1000.0) as kb:
        kb.create_many(synthetic(200), by="test")
        yield kb


def _extra_ms(kb: KnowledgeBase) -> float:
    """What a search costs beyond its ranking (``match_ids``), for the ten questions."""

    def search() -> None:
        for q in QUESTIONS:
            kb.search(q, limit=5)

    def floor() -> None:
        for q in QUESTIONS:
            kb.match_ids(q, limit=5)

    search()
    floor()  # warm: the pages in the connection's cache
    return _cpu_ms(search) - _cpu_ms(floor)


def test_what_a_search_adds_to_its_ranking_does_not_grow_with_the_matches(
    tmp_path: Path,
) -> None:
    with KnowledgeBase(tmp_path / "kb.sqlite3", now=lambda: 1000.0) as kb:
        drafts = synthetic(720)
        kb.create_many(drafts[:120], by="test")
        small = _extra_ms(kb)
        kb.create_many(drafts[120:], by="test")  # six times the articles, the matches
        large = _extra_ms(kb)
    # before: the join read every matching article's row into the sort (4-5x here)
    assert large <= 2 * small + 0.5, f"{small:.2f} ms beyond the ranking, then {large:.2f} ms"


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
