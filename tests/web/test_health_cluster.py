"""``/healthz``, ``/metrics`` and refused upgrades of a cluster node (real nodes in one trio run).

The in-process cluster of ``frontdesk.adapters.testing.cluster`` (a witness, nodes
``a`` primary and ``b`` backup, a real replication link); the web server of
``frontdesk.web.server.run_server`` with ``frontdesk.web.cluster_routes`` is served over ``b``,
the way ``frontdesk.web.cluster_node`` serves a node.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.client import UpgradeRefusedError, VisitorClient, http_request
from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.replication.node import ClusterNode
from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.journal import Journal
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.web.cluster_routes import cluster_routes
from frontdesk.web.context import ServerContext
from frontdesk.web.options import ServerOptions
from frontdesk.web.server import run_server
from tests.web.nodes import PASSWORD


@asynccontextmanager
async def web_over(node: ClusterNode, accounts: Accounts) -> AsyncIterator[str]:
    ctx = ServerContext(NodeEngine(node), accounts,
                        ServerOptions(port=0, node_name=node.settings.node_name),
                        ManualClock(), node)
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        port = await nursery.start(
            partial(run_server, ctx, stop, extra_routes=cluster_routes(ctx, node))
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop.set()


async def get(url: str) -> tuple[int, str]:
    response = await http_request("GET", url)
    return response.status, response.body.decode()


async def test_healthz_and_metrics_of_a_backup_show_role_epoch_lag_and_link(
    tmp_path: Path, accounts: Accounts,
) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await cluster.wait_for(lambda: b.state.link_up and a.state.caught_up)
        async with web_over(b, accounts) as url:
            status, text = await get(url + "/healthz")
            health = json.loads(text)
            assert status == 503  # a backup does not serve clients
            assert health["role"] == "backup" and health["ready"] is False
            assert health["epoch"] == a.epoch and health["node"] == "b"
            assert health["link"] == "up" and health["lag"] == 0 and health["caught_up"] is True
            assert health["primary_url"] == a.settings.advertise_url

            status, text = await get(url + "/metrics")
            assert status == 200
            lines = set(text.splitlines())
            assert {
                'frontdesk_cluster_role{role="backup"} 1',
                'frontdesk_cluster_role{role="primary"} 0',
                f"frontdesk_cluster_epoch {a.epoch}",
                "frontdesk_cluster_accepts_writes 0",
                "frontdesk_replication_link_up 1",
                "frontdesk_replication_lag_records 0",
            } <= lines
            assert "frontdesk_connections" in text  # the server's own families are still there
            assert "\n\n" not in text

            cluster.cut()  # the link goes down: b says so (and stands for election)
            await cluster.wait_for(lambda: not b.state.link_up, 5)
            status, text = await get(url + "/healthz")
            assert json.loads(text)["link"] == "down"


async def test_a_backup_refuses_client_upgrades_naming_the_primary(
    tmp_path: Path, accounts: Accounts,
) -> None:
    async with open_cluster(tmp_path) as cluster:
        b = cluster["b"]
        async with web_over(b, accounts) as url:
            probe = VisitorClient(url, reconnect=False)
            with pytest.raises(UpgradeRefusedError) as refused:
                async with probe:
                    pass
            error = json.loads(refused.value.body)["error"]
            assert refused.value.status == 503 and error["code"] == "not_primary"
            assert error["primary"] == b.primary_hint() == cluster["a"].settings.advertise_url


async def test_a_manager_switches_over_through_the_route(
    tmp_path: Path, accounts: Accounts,
) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await cluster.wait_for(lambda: a.standby_reported == "b", 5)
        async with web_over(a, accounts) as url:
            route = url + "/api/cluster/switchover"
            foreign = await http_request(
                "POST", route,
                headers={"Authorization": basic("maria"), "Origin": "https://evil.example"},
            )
            assert foreign.status == 403 and a.role == "primary"  # no cross-site switchover
            nobody = await http_request("POST", route)
            assert nobody.status == 401 and nobody.json()["error"]["code"] == "no_session"
            operator = await http_request("POST", route, headers={"Authorization": basic("ann")})
            assert operator.status == 401 and a.role == "primary"
            epoch = a.epoch
            done = await http_request("POST", route, headers={"Authorization": basic("maria")})
            assert done.status == 200, done.body
            assert done.json()["role"] == "backup" and b.role == "primary"
            assert b.epoch > epoch  # b holds a newer epoch
            again = await http_request("POST", route, headers={"Authorization": basic("maria")})
            assert again.status == 409  # a is not primary any more (and b has no http URL)
            message = again.json()["error"]["message"]
            assert "frontdesk switchover --node" in message and "Switchover" not in message


def basic(login: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{PASSWORD}".encode()).decode()


async def test_inspect_on_a_cluster_primary_carries_the_link_state(
    tmp_path: Path, accounts: Accounts,
) -> None:
    def engine_factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
        return Engine(EngineSettings(), journal, ManualClock(), epoch=epoch, fold=fold)

    async with open_cluster(tmp_path, engine_factory=engine_factory) as cluster:
        a, b = cluster["a"], cluster["b"]
        await cluster.wait_for(lambda: b.state.link_up and a.ready, 5)
        async with web_over(a, accounts) as url:
            response = await http_request(
                "GET", url + "/api/inspect", headers={"Authorization": basic("maria")}
            )
            assert response.status == 200, response.body
            body = response.json()
            assert body["queue"] == [] and "operators" in body and "dialogs" in body
            assert body["cluster"]["role"] == "primary"
            assert body["cluster"]["link"] == "up" and body["cluster"]["epoch"] == a.epoch


async def test_healthz_and_metrics_carry_the_write_watch(
    tmp_path: Path, accounts: Accounts,
) -> None:
    async with open_cluster(tmp_path) as cluster:
        a = cluster["a"]
        async with web_over(a, accounts) as url:
            _, text = await get(url + "/healthz")
            watch = json.loads(text)["write_watch"]
            assert watch == {"bound_s": a.settings.write_stall_bound_s,
                             "not_accepting_writes_s": 0.0, "stepdowns": 0}
            _, text = await get(url + "/metrics")
            assert {
                "frontdesk_cluster_not_accepting_writes_seconds 0.0",
                f"frontdesk_cluster_write_stall_bound_seconds {a.settings.write_stall_bound_s}",
                "frontdesk_cluster_write_stall_stepdowns_total 0",
            } <= set(text.splitlines())


async def test_switch_back_without_a_session_is_the_documented_refusal(
    tmp_path: Path, accounts: Accounts,
) -> None:
    """Found by the HTTP fuzzer: a 401 that was ``{"allowed", "why"}``, not the
    ``{"error": {"code", "message"}}`` every ``/api/*`` refusal is (docs/protocol.md)."""
    async with open_cluster(tmp_path) as cluster, web_over(cluster["a"], accounts) as url:
        status, text = await get(url + "/api/cluster/switch-back")
        assert status == 401
        error = json.loads(text)["error"]
        assert error["code"] == "no_session" and "session" in error["message"]


async def test_healthz_names_the_standby_the_witness_would_promote(
    tmp_path: Path, accounts: Accounts,
) -> None:
    """``witness_standby``: the standby in sync the witness accepted from the primary, the
    node a failover now would promote. A kill before it is known promotes nobody ("no
    standby in sync"), which a test that killed the primary at once ran into."""
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await cluster.wait_for(lambda: a.standby_reported == "b", timeout=10)
        async with web_over(a, accounts) as url:
            _, text = await get(url + "/healthz")
            assert json.loads(text)["witness_standby"] == "b"
        async with web_over(b, accounts) as url:
            _, text = await get(url + "/healthz")
            assert json.loads(text)["witness_standby"] is None  # only a primary reports one
