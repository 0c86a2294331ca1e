"""The node opens the survey templates on its accounts database; the demo fills empty ones."""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.node_setup import open_node
from frontdesk.config.loader import load_settings
from tests.adapters.test_node_setup import CHEAP


def test_the_node_opens_the_templates_and_the_demo_adds_satisfaction_once(
        tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        assert parts.surveys is not None and parts.surveys.templates() == []
        assert parts.demo_accounts(settings, wanted=False)
        parts.demo_accounts(settings, wanted=True)
        titles = [s.title for s in parts.surveys.templates()]
        assert titles == ["Satisfaction"]
        satisfaction = parts.surveys.templates()[0]
        assert [q.kind for q in satisfaction.questions] == ["rating", "single", "multiple", "text"]
    finally:
        parts.close()
