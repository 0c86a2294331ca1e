"""The layers run one way (docs/architecture.md, "Layers and the composition root"):
engine <- config <- adapters <- web. No module imports a layer above its own, the shipped
adapters import none of the adapters' test aids (``adapters/testing/``), and the command
line is the composition root's (``frontdesk.web.cli``)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("engine", "config", "adapters", "web")


def imported(path: Path) -> set[str]:
    """The top modules' dotted names a file imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "frontdesk" and node.level == 0:
            names |= {f"{alias.name}" for alias in node.names}  # from frontdesk import web
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_of(name: str) -> str:
    """``frontdesk.web.app`` -> ``web`` (the installed namespace); other modules: their top."""
    parts = name.split(".")
    return parts[1] if parts[0] == "frontdesk" and len(parts) > 1 else parts[0]


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_module_imports_a_layer_above_its_own(layer: str) -> None:
    above = LAYERS[LAYERS.index(layer) + 1:]
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for name in sorted(imported(path))
        if layer_of(name) in above
    ]
    assert not found, f"{layer} may import only {LAYERS[:LAYERS.index(layer) + 1]}; got {found}"


def test_the_shipped_adapters_import_no_test_aid() -> None:
    testing = ROOT / "adapters" / "testing"
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        if testing not in path.parents
        for name in sorted(imported(path))
        if name.startswith("frontdesk.adapters.testing")
    ]
    assert not found, f"expected no adapters module outside adapters/testing to import it; {found}"


def test_the_console_script_is_the_composition_roots_command_line() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"frontdesk": "frontdesk.web.cli:main"}
