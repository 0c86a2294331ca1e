"""The fixtures of the file tests: a real node with a real SQLite file store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.files import FileLimits, FileStore
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import PASSWORD, USERS, Node, start_node


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
async def file_node(tmp_path: Path, accounts: Accounts) -> AsyncIterator[Node]:
    store = FileStore(tmp_path / "files.sqlite3", tmp_path / "files",
                      FileLimits(max_bytes=200_000, max_per_dialog=4, uploads_per_minute=4))
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop, files=store)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    store.close()
    accounts.close()
