"""ClusterNode's helpers see the node through narrow interfaces (issue 18, item 5): each
helper module declares, as a ``typing.Protocol`` beside its code, the few members of the node
it uses, and is handed the node typed with it; ``ClusterNode`` satisfies each structurally
(``mypy --strict`` checks it where the node hands itself over). So no helper imports the node
module or names ``ClusterNode`` in its code (its docstrings may)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPLICATION = ROOT / "adapters" / "replication"
# helper module -> the Protocol(s) it declares for what it uses of the node
HELPERS = {
    "endpoints.py": ("ReplicationHost",),
    "engine_proxy.py": ("EngineHost",),
    "report.py": ("ReportedNode",),
}


def _names_in_code(tree: ast.Module) -> set[str]:
    """Every identifier the code uses (names, attributes, string annotations)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.rsplit(".", 1)[-1])
        elif isinstance(node, ast.arg | ast.AnnAssign | ast.FunctionDef | ast.AsyncFunctionDef):
            annotation = node.returns if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                else node.annotation
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                found |= _names_in_code(ast.parse(annotation.value))
    return found


@pytest.mark.parametrize("module", sorted(HELPERS))
def test_a_helper_does_not_name_the_cluster_node(module: str) -> None:
    path = REPLICATION / module
    tree = ast.parse(path.read_text(), str(path))
    imports = [
        n.module for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module == "frontdesk.adapters.replication.node"
    ]
    assert not imports, f"expected {module} not to import the node module; it does"
    assert "ClusterNode" not in _names_in_code(tree), (
        f"expected {module} to use its own Protocol {HELPERS[module]}, not ClusterNode"
    )


@pytest.mark.parametrize("module", sorted(HELPERS))
def test_a_helper_declares_its_interfaces_as_protocols(module: str) -> None:
    path = REPLICATION / module
    tree = ast.parse(path.read_text(), str(path))
    protocols = {
        n.name for n in tree.body
        if isinstance(n, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "Protocol" for b in n.bases)
    }
    missing = set(HELPERS[module]) - protocols
    assert not missing, (
        f"expected {module} to declare Protocol {sorted(missing)}; got {sorted(protocols)}"
    )
