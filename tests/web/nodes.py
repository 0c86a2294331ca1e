"""Helpers for tests/web: a real frontdesk node in the test's trio loop.

The real Engine on a real SQLite journal (tmp_path), real accounts, the
Hypercorn/Starlette server on 127.0.0.1 port 0, and clients speaking real
websockets through ``frontdesk.adapters.client``.

The engine and the server share a ``ManualClock``: timed behaviour (the
operator grace period, looking-for-info reminders) moves only when a test
calls ``node.advance(seconds)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import trio

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.client import ClientBase, ManagerClient, OperatorClient, VisitorClient
from frontdesk.adapters.files import FileStore
from frontdesk.adapters.mail.service import MailService
from frontdesk.adapters.offline import OfflineMessages
from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.web.context import ServerContext, StaticNode
from frontdesk.web.options import ServerOptions
from frontdesk.web.server import run_server

C = TypeVar("C", bound=ClientBase)
PASSWORD = "correct horse"
USERS = (("ann", "Ann", "operator"), ("bob", "Bob", "operator"), ("cid", "Cid", "operator"),
         ("maria", "Maria", "manager"))


@dataclass
class Node:
    url: str
    port: int
    ctx: ServerContext
    engine: Engine
    accounts: Accounts
    clock: ManualClock
    journal: SqlJournal
    nursery: trio.Nursery
    clients: list[Any] = field(default_factory=list)

    async def started(self, client: C) -> C:
        await self.nursery.start(client.run)
        self.clients.append(client)
        return client

    async def visitor(self, **kwargs: Any) -> VisitorClient:
        return await self.started(VisitorClient(self.url, **kwargs))

    async def operator(self, login: str = "ann", **kwargs: Any) -> OperatorClient:
        return await self.started(
            await OperatorClient.logged_in(self.url, login, PASSWORD, **kwargs))

    async def manager(self, login: str = "maria", **kwargs: Any) -> ManagerClient:
        return await self.started(
            await ManagerClient.logged_in(self.url, login, PASSWORD, **kwargs))

    async def advance(self, seconds: float) -> None:
        """Move the shared clock (timers fire on this thread), then let the engine settle."""
        self.clock.advance(seconds)
        await trio.to_thread.run_sync(self.engine.settle)

    async def settle(self) -> None:
        await trio.to_thread.run_sync(self.engine.settle)




async def start_node(
    tmp_path: Path, accounts: Accounts, *, options: dict[str, Any], settings: EngineSettings,
    nursery: trio.Nursery, stop: trio.Event, mail: MailService | None = None,
    files: FileStore | None = None, offline: OfflineMessages | None = None,
) -> Node:
    journal = SqlJournal(tmp_path / "journal.sqlite3", synchronous="normal")
    clock = ManualClock()
    engine = Engine(settings, journal, clock)
    await trio.to_thread.run_sync(engine.start)
    opts = dataclasses.replace(ServerOptions(port=0), **options)
    ctx = ServerContext(engine, accounts, opts, clock, StaticNode(journal.epoch, ready=True))
    ctx.mail = mail
    ctx.files = files
    ctx.offline = offline
    port: int = await nursery.start(run_server, ctx, stop)
    return Node(f"http://127.0.0.1:{port}", port, ctx, engine, accounts, clock, journal, nursery)


def frames_of(client: Any, kind: str, dialog: str | None = None) -> list[dict[str, Any]]:
    return [f for f in client.received
            if f.get("type") == kind and (dialog is None or f.get("dialog") == dialog)]


Check = Callable[[dict[str, Any]], bool]
