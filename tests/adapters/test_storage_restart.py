"""The store survives its PostgreSQL restarting (issue 19, finding 1).

A real node (engine, store, web server) on a PostgreSQL cluster of this test's
own (``pg_scratch.py``); a visitor sends say after say while ``pg_ctl restart``
runs. Every say answered ``ack`` must be in the journal afterwards, the refused
ones are refused ``unavailable`` (retryable), and once the server is back the
node serves again by itself within the reconnection backoff's bound.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trio

from adapters.accounts import Accounts, PasswordHashing
from adapters.client import VisitorClient
from adapters.client.base import RefusedError
from adapters.client.http import ClientError
from adapters.storage import SqlJournal
from adapters.storage.availability import MAX_DELAY_S, keep_writable
from engine.clock import SystemClock
from engine.runtime import Engine
from engine.settings import EngineSettings
from tests.adapters.pg_scratch import ScratchPostgres, own_postgres
from web.context import ServerContext, StaticNode
from web.options import ServerOptions
from web.server import run_server

pytestmark = pytest.mark.timeout(90)

# the reconnection's bound, plus the time a fresh connection and the first commit take
RESUME_WITHIN_S = MAX_DELAY_S + 5.0


@pytest.fixture
def pg() -> Iterator[ScratchPostgres]:
    server = own_postgres()
    try:
        yield server
    finally:
        server.remove()


@dataclasses.dataclass
class PgNode:
    url: str
    journal: SqlJournal
    engine: Engine
    ctx: ServerContext
    nursery: trio.Nursery


@pytest.fixture
async def node(pg: ScratchPostgres, tmp_path: Path) -> AsyncIterator[PgNode]:
    journal = SqlJournal(pg.url)
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    clock = SystemClock()  # real time: the store retries a rebuild on a timer
    engine = Engine(EngineSettings(), journal, clock)
    await trio.to_thread.run_sync(engine.start)
    node = StaticNode(journal.epoch, ready=True)
    ctx = ServerContext(engine, accounts, ServerOptions(port=0), clock, node)
    stop = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            port: int = await nursery.start(run_server, ctx, stop)
            nursery.start_soon(keep_writable, journal)
            try:
                yield PgNode(f"http://127.0.0.1:{port}", journal, engine, ctx, nursery)
            finally:
                stop.set()
                nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(engine.stop)
        clock.stop()
        journal.close()
        accounts.close()


async def _visitor(node: PgNode) -> VisitorClient:
    client = VisitorClient(node.url)
    await node.nursery.start(client.run)
    return client


def _messages_in(url: str, dialog: str) -> list[str]:
    with SqlJournal(url) as journal:
        return [r.data.get("text", "") for r in journal.read(0, f"dialog:{dialog}")
                if r.type == "dialog.message"]


@pytest.mark.allow_error_logs  # the store logs each refused append at ERROR
async def test_restart_under_load_loses_no_acknowledged_message(
    pg: ScratchPostgres, node: PgNode,
) -> None:
    visitor = await _visitor(node)
    opened = await visitor.open("Ada")
    dialog = opened["dialog"]
    acked: list[str] = []
    refusals: list[str] = []
    warmed, restarted, resumed = trio.Event(), trio.Event(), trio.Event()

    async def say_after_say() -> None:
        i = 0
        while not (restarted.is_set() and resumed.is_set()):
            i += 1
            text = f"m{i}"
            try:
                await visitor.say(text, timeout=5.0)
            except RefusedError as exc:
                refusals.append(exc.code)
                continue
            except ClientError:
                continue  # no answer in time: neither acknowledged nor counted
            acked.append(text)
            if len(acked) == 20:
                warmed.set()
            if restarted.is_set():
                resumed.set()

    async with trio.open_nursery() as load:
        load.start_soon(say_after_say)
        with trio.fail_after(10):
            await warmed.wait()
        await trio.to_thread.run_sync(pg.restart)
        restarted.set()
        with trio.fail_after(RESUME_WITHIN_S):
            await resumed.wait()

    # a dialog opened after the restart works too
    other = await _visitor(node)
    with trio.fail_after(RESUME_WITHIN_S):
        second = await other.open("Grace")
    assert second["dialog"] != dialog
    stored = await trio.to_thread.run_sync(_messages_in, pg.url, dialog)
    assert [t for t in acked if t not in stored] == []  # no acknowledged message lost
    assert set(refusals) <= {"unavailable"}
