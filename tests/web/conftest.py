"""Fixtures of tests/web: ``node`` (a real node in the test's loop, see ``nodes.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import PASSWORD, USERS, Node, start_node


@pytest.fixture
def node_options() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change ServerOptions fields."""
    return {}


@pytest.fixture
def engine_settings() -> EngineSettings:
    return EngineSettings()


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
async def node(
    tmp_path: Path, accounts: Accounts, node_options: dict[str, Any],
    engine_settings: EngineSettings,
) -> AsyncIterator[Node]:
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options=node_options,
                                settings=engine_settings, nursery=nursery, stop=stop)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    accounts.close()
