"""The store survives its PostgreSQL restarting (issue 19, finding 1).

A real node (engine, store, web server) on a PostgreSQL cluster of this test's
own (``pg_scratch.py``); a visitor sends say after say while ``pg_ctl restart``
runs. Every say answered ``ack`` must be in the journal afterwards, the refused
ones are refused ``unavailable`` (retryable), and once the server is back the
node serves again by itself within the reconnection backoff's bound.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.client.base import RefusedError
from frontdesk.adapters.client.http import ClientError
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.availability import MAX_DELAY_S
from tests.adapters.pg_scratch import PgNode, ScratchPostgres, own_postgres, serving

pytestmark = pytest.mark.timeout(90)

# the reconnection's bound, plus the time a fresh connection and the first commit take
RESUME_WITHIN_S = MAX_DELAY_S + 5.0


@pytest.fixture
def pg() -> Iterator[ScratchPostgres]:
    """The cluster of our own, running (a test may stop it: it is started again after)."""
    cluster = own_postgres()
    if not cluster.running:
        cluster.start()
    yield cluster
    if not cluster.running:
        cluster.start()


@pytest.fixture
async def node(pg: ScratchPostgres, tmp_path: Path) -> AsyncIterator[PgNode]:
    async with serving(pg.fresh_database(), tmp_path / "accounts.sqlite3") as node:
        yield node


def _messages_in(url: str, dialog: str) -> list[str]:
    with SqlJournal(url) as journal:
        return [r.data.get("text", "") for r in journal.read(0, f"dialog:{dialog}")
                if r.type == "dialog.message"]


@pytest.mark.allow_error_logs  # the store logs each refused append at ERROR
async def test_restart_under_load_loses_no_acknowledged_message(
    pg: ScratchPostgres, node: PgNode,
) -> None:
    visitor = await node.visitor()
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
    other = await node.visitor()
    with trio.fail_after(RESUME_WITHIN_S):
        second = await other.open("Grace")
    assert second["dialog"] != dialog
    stored = await trio.to_thread.run_sync(_messages_in, node.journal_url, dialog)
    assert [t for t in acked if t not in stored] == []  # no acknowledged message lost
    assert set(refusals) <= {"unavailable"}


@pytest.mark.allow_error_logs  # the store logs the failed append at ERROR
async def test_a_say_refused_while_the_database_is_down_is_retried_until_acknowledged(
    pg: ScratchPostgres, node: PgNode,
) -> None:
    visitor = await node.visitor()
    dialog = (await visitor.open("Ada"))["dialog"]
    await trio.to_thread.run_sync(pg.stop)
    answer: list[dict[str, object]] = []

    async def say() -> None:
        answer.append(await visitor.say("said while the database was down", timeout=30))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(say)
        refused = await visitor.expect({"type": "error", "code": "unavailable"}, timeout=10)
        assert "cannot be written" in refused["message"] or "could not write" in \
            refused["message"]
        await trio.to_thread.run_sync(pg.start)
    assert answer and answer[0]["type"] == "dialog.message"  # the client retried it
    stored = await trio.to_thread.run_sync(_messages_in, node.journal_url, dialog)
    assert stored.count("said while the database was down") == 1
