"""The example file and docs/configuration.md stay true to the settings."""

from __future__ import annotations

import re
from pathlib import Path

from frontdesk.config.loader import load_settings, setting_specs

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "frontdesk.example.toml"
DOCS = REPO / "docs" / "configuration.md"


def uncommented(text: str) -> str:
    """The example with its commented-out settings switched on (``# key = value`` lines)."""
    out = []
    for line in text.splitlines():
        m = re.fullmatch(r"# ((?:[a-z_0-9]+ = |    \{ |\]).*)", line)
        out.append(m.group(1) if m else line)
    return "\n".join(out)


def test_the_example_sets_every_key_to_its_default(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    switched_on = tmp_path / "frontdesk.toml"
    switched_on.write_text(uncommented(text), encoding="utf-8")
    assert load_settings(switched_on, {}) == load_settings(None, {})
    as_written = tmp_path / "as-written.toml"
    as_written.write_text(text, encoding="utf-8")
    assert load_settings(as_written, {}) == load_settings(None, {})  # all commented out
    for key in setting_specs():
        name = key.rpartition(".")[2]
        assert re.search(rf"^# {name} = ", text, re.MULTILINE), f"{key} is not in the example"


def test_the_docs_list_every_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for key in setting_specs():
        section, _, name = key.rpartition(".")
        table = text.split(f"## `[{section}]`")[1].split("\n## ")[0] if section else text
        assert f"| `{name}` |" in table, f"{key} is not documented"
