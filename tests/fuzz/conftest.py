"""Fixtures of the fuzz suite: one server process for the session and its bystander.

The hypothesis profiles are in ``profiles.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fuzz import model
from tests.fuzz.bystander import Bystander
from tests.fuzz.fuzz_node import TIMEOUT_S, FuzzNode


@pytest.fixture(scope="session")
def fuzz_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzNode]:
    node = FuzzNode(Path(tmp_path_factory.mktemp("fuzz-node")))
    try:
        node.start()
        model.use_config(httpx.get(f"{node.url}/api/config", timeout=TIMEOUT_S).json())
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def bystander(fuzz_node: FuzzNode) -> Iterator[Bystander]:
    """A visitor in a dialog with a logged-in operator (cid), kept through the session; at
    the end every message acknowledged to it must be in the dialog's history."""
    watcher = Bystander(fuzz_node)
    try:
        yield watcher
        watcher.assert_history_complete()
    finally:
        watcher.close()


@pytest.fixture
def alive(fuzz_node: FuzzNode, bystander: Bystander) -> Iterator[FuzzNode]:
    """The node, checked alive (with the bystander served) before and after the test."""
    fuzz_node.assert_alive()
    bystander.check()
    yield fuzz_node
    fuzz_node.assert_alive()
    bystander.check()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A failing example of a frame over the size limit is 65 kB long: hypothesis warns
    that its repr is large, which (warnings being errors) would hide the failure itself."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.filterwarnings(
                "ignore:Generating overly large repr"))
