"""The node opens a knowledge base on its accounts database; the demo fills an empty one."""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.knowledge import ArticleDraft
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES
from frontdesk.adapters.node_setup import open_node
from frontdesk.config.loader import load_settings
from tests.adapters.test_node_setup import CHEAP


def test_the_node_opens_a_knowledge_base_and_the_demo_fills_it_once(tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        assert parts.knowledge is not None and parts.knowledge.articles() == []
        assert parts.demo_accounts(settings, wanted=False)  # first run: the demo
        titles = [a.title for a in parts.knowledge.articles()]
        assert titles == [d.title for d in DEMO_ARTICLES]
        assert parts.knowledge.search("when are you open on sunday")[0].article.title == \
            "Opening hours"
        parts.demo_accounts(settings, wanted=True)  # a second demo start: not loaded twice
        assert len(parts.knowledge.articles()) == len(DEMO_ARTICLES)
    finally:
        parts.close()


def test_the_demo_leaves_a_base_with_articles_alone(tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        assert parts.knowledge is not None
        parts.knowledge.create(ArticleDraft("Ours", ("Is it ours?",), "Yes."), by="maria")
        parts.demo_accounts(settings, wanted=True)
        assert [a.title for a in parts.knowledge.articles()] == ["Ours"]
    finally:
        parts.close()
