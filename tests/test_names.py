"""Names in the code (issue 18, item 8): a module of frontdesk is imported under its own name
or a word, never a short alias (``from frontdesk.engine import notices as n``; the
ecosystem's own conventions, ``hypothesis.strategies as st``, are theirs), and the journaled
events are named for what happened (``events.MessagePosted``), their module saying the layer,
with no ``Ev`` suffix beside the notices' ``notices.MessagePosted``."""

from __future__ import annotations

import ast
from pathlib import Path

from frontdesk.engine import events

ROOT = Path(__file__).resolve().parents[1]
TREES = ("engine", "adapters", "web", "config", "bench", "tests", "examples")


def _modules() -> list[Path]:
    return [path for tree in TREES for path in (ROOT / tree).rglob("*.py")
            if ".venv" not in path.parts]


def test_no_module_is_imported_under_a_short_alias() -> None:
    short = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("frontdesk"):
                short += [f"{path.relative_to(ROOT)}:{node.lineno}: {a.name} as {a.asname}"
                          for a in node.names
                          if a.asname not in (None, a.name) and len(a.asname or "") <= 3]
            elif isinstance(node, ast.Import):
                short += [f"{path.relative_to(ROOT)}:{node.lineno}: {a.name} as {a.asname}"
                          for a in node.names if a.name.startswith("frontdesk")
                          and a.asname not in (None, a.name) and len(a.asname or "") <= 3]
    assert short == [], f"expected modules imported under a word, got {short}"


def test_events_carry_no_layer_suffix() -> None:
    suffixed = [name for name in dir(events) if name.endswith("Ev") and name[0].isupper()]
    assert suffixed == [], f"expected event classes named for what happened, got {suffixed}"
