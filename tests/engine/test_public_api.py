"""The public API is what the docs say it is (issue 20, "Done when"), as trio's export test
checks its own: the ``__all__`` of the harness, the cluster harness and the client is
exactly the table of names under "Public API" in docs/harness.md and docs/client.md, and
every public method and property of those classes is named somewhere in that document."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
MODULES = {
    "frontdesk.engine.testing": "harness.md",
    "frontdesk.adapters.testing.cluster_harness": "harness.md",
    "frontdesk.adapters.client": "client.md",
}


def documented_exports(doc: str, module: str) -> set[str]:
    """The first-column names of the table under ``### `module``` in "## Public API"."""
    api = doc.split("\n## Public API\n", 1)
    assert len(api) == 2, "no '## Public API' section"
    section = api[1].split("\n## ", 1)[0]
    parts = re.split(r"^### `([\w.]+)`\s*$", section, flags=re.M)
    tables = dict(zip(parts[1::2], parts[2::2], strict=True))
    assert module in tables, f"no '### `{module}`' under Public API; found {sorted(tables)}"
    return set(re.findall(r"^\| `(\w+)`", tables[module], flags=re.M))


def public_members(cls: type) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] not in ("engine", "adapters"):
            continue  # what a base from elsewhere (Exception, object) brings
        names |= {n for n in vars(klass) if not n.startswith("_")}
    return names


@pytest.mark.parametrize("module", sorted(MODULES))
def test_all_is_what_the_docs_list(module: str) -> None:
    mod = importlib.import_module(module)
    doc = (DOCS / MODULES[module]).read_text()
    exported = set(mod.__all__)
    listed = documented_exports(doc, module)
    assert exported == listed, (
        f"{module}: exported but not listed: {sorted(exported - listed)}; "
        f"listed but not exported: {sorted(listed - exported)}"
    )
    for name in exported:
        assert hasattr(mod, name), f"{module}.__all__ names {name}, which it does not have"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_public_name_is_documented(module: str) -> None:
    mod = importlib.import_module(module)
    doc = (DOCS / MODULES[module]).read_text()
    missing = []
    for name in mod.__all__:
        obj = getattr(mod, name)
        if not inspect.isclass(obj):
            continue
        for member in sorted(public_members(obj)):
            if not re.search(rf"`[^`]*\b{member}\b[^`]*`", doc):
                missing.append(f"{name}.{member}")
    assert missing == [], f"{MODULES[module]} never names: {missing}"


def test_the_public_modules_define_all() -> None:
    for module in MODULES:
        assert isinstance(importlib.import_module(module).__all__, list), module
