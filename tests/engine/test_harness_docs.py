"""docs/harness.md is true: every python code block in it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontdesk.engine.testing import EngineHarness

DOC = Path(__file__).resolve().parents[2] / "docs" / "harness.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_there_are_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(index: int) -> None:
    namespace: dict[str, object] = {"__name__": f"harness_md_{index}"}
    exec(compile(BLOCKS[index], f"docs/harness.md[{index}]", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            with EngineHarness() as h:
                value(h)
