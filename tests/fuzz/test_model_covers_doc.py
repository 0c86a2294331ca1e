"""The fuzz model lists every client frame ``docs/protocol.md`` has, and no other.

The survey frames (``survey``, ``survey_answer``) and ``presence`` were documented and
served long before the model knew them, so the fuzzer never sent them well-formed.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.fuzz.model import DOC_FRAMES

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
HEADING = re.compile(r"^### (visitor|operator|manager) → `([a-z_]+)`\s*$", re.M)


def test_the_model_has_each_client_frame_of_the_doc() -> None:
    documented: dict[str, set[str]] = {"visitor": set(), "operator": set(), "manager": set()}
    for endpoint, kind in HEADING.findall(DOC.read_text()):
        documented[endpoint].add(kind)
    # the doc gives ping once, under the visitor ("available on every endpoint")
    documented["operator"].add("ping")
    documented["manager"].add("ping")
    for endpoint, kinds in documented.items():
        assert set(DOC_FRAMES[endpoint]) == kinds, (
            f"{endpoint}: in the doc only {sorted(kinds - set(DOC_FRAMES[endpoint]))}, "
            f"in the model only {sorted(set(DOC_FRAMES[endpoint]) - kinds)}")
