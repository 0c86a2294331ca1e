"""``/healthz``, ``/metrics`` and logins tell the truth while the journal cannot be written.

A node on a PostgreSQL cluster of the test's own (journal and accounts on the
same database, as the configuration's default puts them); the cluster is
stopped with nothing else going on: the node's idle probe notices, the health
endpoint answers 503 naming the journal, the gauge says 0, a login is refused
``unavailable`` (retryable) rather than failing with a 500; the cluster comes
back and the node is ready again by itself, with no request bringing it back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
import trio

from frontdesk.adapters.client.http import http_request
from frontdesk.adapters.storage.availability import MAX_DELAY_S
from tests.adapters.pg_scratch import (
    PgNode,
    ScratchPostgres,
    own_postgres,
    serving,
    until_writable,
)
from tests.web.nodes import PASSWORD

pytestmark = pytest.mark.timeout(90)

PROBE_EVERY_S = 0.2  # the idle probe of this test's node (5 s by default)


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
async def node(pg: ScratchPostgres) -> AsyncIterator[PgNode]:
    url = pg.fresh_database()  # the journal and the accounts on one database
    async with serving(url, url, check_every_s=PROBE_EVERY_S) as node:
        node.accounts.create_user("ann", "Ann", "operator", PASSWORD)
        yield node


async def _health(node: PgNode) -> tuple[int, dict[str, object]]:
    response = await http_request("GET", node.url + "/healthz")
    return response.status, response.json()


async def _gauge(node: PgNode, name: str) -> str:
    text = (await http_request("GET", node.url + "/metrics")).body.decode()
    return next(line for line in text.splitlines() if line.startswith(name + " "))


async def _login(node: PgNode) -> tuple[int, dict[str, object]]:
    body = json.dumps({"login": "ann", "password": PASSWORD}).encode()
    response = await http_request("POST", node.url + "/api/login", body,
                                  {"Content-Type": "application/json"})
    return response.status, response.json()


async def test_not_ready_while_the_database_is_away_and_ready_again_by_itself(
    pg: ScratchPostgres, node: PgNode,
) -> None:
    status, body = await _health(node)
    assert (status, body["ready"]) == (200, True) and "not_ready" not in body
    assert await _gauge(node, "frontdesk_journal_writable") == "frontdesk_journal_writable 1"

    await trio.to_thread.run_sync(pg.stop)
    await until_writable(node.journal, False, timeout=PROBE_EVERY_S + 10)

    status, body = await _health(node)
    assert (status, body["ready"]) == (503, False)
    why = body["not_ready"]
    assert isinstance(why, dict) and "cannot be written" in why["journal_writable"]
    assert await _gauge(node, "frontdesk_journal_writable") == "frontdesk_journal_writable 0"
    status, answer = await _login(node)  # the accounts live on the same database
    assert status == 503, answer
    assert answer["error"] == {"code": "unavailable", "message": answer["error"]["message"]}

    await trio.to_thread.run_sync(pg.start)
    await until_writable(node.journal, True, timeout=MAX_DELAY_S + 5)  # no request did it

    status, body = await _health(node)
    assert (status, body["ready"]) == (200, True)
    assert await _gauge(node, "frontdesk_journal_writable") == "frontdesk_journal_writable 1"
    failures = await _gauge(node, "frontdesk_journal_write_failures_total")
    assert int(failures.split()[1]) >= 1


async def test_a_login_after_a_restart_of_the_database_works_at_once(
    pg: ScratchPostgres, node: PgNode,
) -> None:
    """The worker thread's connection was cut by the restart: a read on it is made again
    on a fresh connection instead of failing the first login after the restart."""
    status, answer = await _login(node)
    assert status == 200, answer
    await trio.to_thread.run_sync(pg.restart)
    status, answer = await _login(node)
    assert status == 200, answer
