"""The node opens the predefined answers on its accounts database; the demo fills empty ones."""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.node_setup import open_node
from frontdesk.adapters.predefined import AnswerDraft
from frontdesk.adapters.predefined.demo import DEMO_ANSWERS
from frontdesk.config.loader import load_settings
from tests.adapters.test_node_setup import CHEAP


def test_the_node_opens_the_answers_and_the_demo_fills_them_once(tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        assert parts.predefined is not None and parts.predefined.shared() == []
        assert parts.demo_accounts(settings, wanted=False)  # first run: the demo
        shortcuts = {a.shortcut for a in parts.predefined.shared()}
        assert {"hello", "hours", "returns"} <= shortcuts
        parts.demo_accounts(settings, wanted=True)  # a second demo start: not loaded twice
        assert len(parts.predefined.shared()) == len(DEMO_ANSWERS)
    finally:
        parts.close()


def test_the_demo_leaves_shared_answers_alone(tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        assert parts.predefined is not None
        parts.predefined.create(AnswerDraft("Ours", "Yes.", "ours"), owner=None, by="maria")
        parts.demo_accounts(settings, wanted=True)
        assert [a.title for a in parts.predefined.shared()] == ["Ours"]
    finally:
        parts.close()
