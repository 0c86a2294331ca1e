"""docs/protocol.md documents exactly the frames the code sends and accepts."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

from frontdesk import engine
from frontdesk.adapters.wire import FRAMES
from frontdesk.engine.notices import Notice
from frontdesk.web.ws_base import SERVER_FRAME_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
SERVER_HEADING = re.compile(r"^### `([a-z_.]+)`\s*$", re.M)
CLIENT_HEADING = re.compile(r"^### (visitor|operator|manager) → `([a-z_.]+)`\s*$", re.M)


def notice_types() -> set[str]:
    for module in pkgutil.iter_modules(engine.__path__):
        if module.name != "testing":
            importlib.import_module(f"engine.{module.name}")
    found: set[str] = set()
    stack = [Notice]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.TYPE:
            found.add(cls.TYPE)
    return found


def test_every_server_frame_is_documented_and_nothing_else() -> None:
    documented = set(SERVER_HEADING.findall(DOC.read_text()))
    assert documented == notice_types() | SERVER_FRAME_TYPES


def test_every_client_frame_is_documented_and_nothing_else() -> None:
    documented: dict[str, set[str]] = {"visitor": set(), "operator": set(), "manager": set()}
    for endpoint, kind in CLIENT_HEADING.findall(DOC.read_text()):
        documented[endpoint].add(kind)
    assert documented == {endpoint: set(table) for endpoint, table in FRAMES.items()}


def test_every_json_example_in_the_doc_parses() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) > 20
    for block in blocks:
        assert isinstance(json.loads(block), dict), block
