"""An operator's session follows a failover: signed session tokens over real websockets.

The in-process cluster of ``frontdesk.adapters.testing.cluster`` (a witness, nodes ``a``
primary and ``b`` backup, a real replication link, the real engine), with the web
server of ``frontdesk.web.server.run_server`` over each node, as ``frontdesk.web.cluster_node``
serves a node. Both nodes' accounts hold the same cluster secret; ``b``'s accounts
database is empty, so only the signed token can tell ``b`` who the operator is.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.client import OperatorClient, UpgradeRefusedError, http_request
from frontdesk.adapters.client.http import login as http_login
from frontdesk.adapters.client.reconnect import Backoff
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
from tests.web.nodes import PASSWORD, USERS

SECRET = "the cluster secret"


CAPACITY = 5


def engine_factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
    settings = EngineSettings(default_capacity=CAPACITY)
    return Engine(settings, journal, ManualClock(), epoch=epoch, fold=fold)


def accounts_of(path: Path, secret: str, users: bool) -> Accounts:
    accounts = Accounts(path, hashing=PasswordHashing.cheap(), cluster_secret=secret)
    for login, name, role in USERS if users else ():
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


async def serve_web(nursery: trio.Nursery, node: ClusterNode, accounts: Accounts,
                    stop: trio.Event) -> str:
    """The web server of a cluster node (until ``stop``); its base URL."""
    ctx = ServerContext(NodeEngine(node), accounts,
                        ServerOptions(port=0, node_name=node.settings.node_name),
                        ManualClock(), node)
    port = await nursery.start(
        partial(run_server, ctx, stop, extra_routes=cluster_routes(ctx, node)))
    return f"http://127.0.0.1:{port}"


async def test_a_console_logged_in_on_a_follows_the_failover_to_b(tmp_path: Path) -> None:
    a_accounts = accounts_of(tmp_path / "a-accounts.sqlite3", SECRET, users=True)
    b_accounts = accounts_of(tmp_path / "b-accounts.sqlite3", SECRET, users=False)
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY) as cluster, \
            trio.open_nursery() as nursery:
        a, b = cluster["a"], cluster["b"]
        stop_a, stop_b = trio.Event(), trio.Event()
        a_url = await serve_web(nursery, a, a_accounts, stop_a)
        b_url = await serve_web(nursery, b, b_accounts, stop_b)
        token = await http_login(a_url, "ann", PASSWORD)
        manager_token = await http_login(a_url, "maria", PASSWORD)

        # while b is backup it refuses the upgrade as not primary, not for the session
        probe = OperatorClient(b_url, session=token, reconnect=False)
        with pytest.raises(UpgradeRefusedError) as refused:
            async with probe:
                pass
        assert refused.value.status == 503
        assert json.loads(refused.value.body)["error"]["code"] == "not_primary"

        ann = OperatorClient([a_url, b_url], session=token, ping_interval_s=0.2,
                             ping_timeout_s=0.5, connect_timeout_s=1.0,
                             backoff=Backoff(base_s=0.02, max_s=0.2))
        async with ann:
            assert ann.url == a_url and ann.hello is not None
            assert (await ann.set_status("connected"))["type"] == "ack"
            since = len(ann.received)

            cluster.kill("a")  # a dies: its node and its web server
            stop_a.set()
            await cluster.wait_for(b.accepts_writes, timeout=10)

            hello = await ann.wait_for("hello", timeout=15, since=since)  # on b, by itself
            assert ann.url == b_url and ann.connections == 2
            assert hello["node"] == "b"
            assert hello["you"]["id"] == "ann" and hello["you"]["name"] == "Ann"
            assert hello["you"]["role"] == "operator"
            assert (await ann.set_status("on_break"))["type"] == "ack"  # b's engine took it

            me = await http_request("GET", b_url + "/api/me",
                                    headers={"Cookie": f"fd_session={token}"})
            assert me.status == 200 and me.json()["user"]["id"] == "ann"
            # the manager's session from a is good on b too (the switchover button needs it)
            info = await http_request("GET", b_url + "/api/cluster",
                                      headers={"Cookie": f"fd_session={manager_token}"})
            assert info.status == 200 and info.json()["role"] == "primary"
            wrong = await http_request("POST", b_url + "/api/cluster/switchover",
                                       headers={"Cookie": f"fd_session={token}"})
            assert wrong.status == 403  # an operator's session is not a manager's (it is known)

            # a logout on b ends the session there: a new upgrade is refused
            out = await http_request("POST", b_url + "/api/logout",
                                     headers={"Cookie": f"fd_session={token}"})
            assert out.status == 200
            late = OperatorClient(b_url, session=token, reconnect=False)
            with pytest.raises(UpgradeRefusedError) as ended:
                async with late:
                    pass
            assert ended.value.status == 403
            assert json.loads(ended.value.body)["error"]["code"] == "no_session"
        stop_b.set()
    a_accounts.close()
    b_accounts.close()


async def test_a_session_signed_with_another_secret_is_refused(tmp_path: Path) -> None:
    a_accounts = accounts_of(tmp_path / "a-accounts.sqlite3", SECRET, users=True)
    b_accounts = accounts_of(tmp_path / "b-accounts.sqlite3", "another secret", users=True)
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY) as cluster, \
            trio.open_nursery() as nursery:
        a, b = cluster["a"], cluster["b"]
        stop = trio.Event()
        a_url = await serve_web(nursery, a, a_accounts, stop)
        b_url = await serve_web(nursery, b, b_accounts, stop)
        token = await http_login(a_url, "ann", PASSWORD)
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=10)
        stranger = OperatorClient(b_url, session=token, reconnect=False)
        with pytest.raises(UpgradeRefusedError) as refused:
            async with stranger:
                pass
        assert refused.value.status == 403
        assert json.loads(refused.value.body)["error"]["code"] == "no_session"
        stop.set()
    a_accounts.close()
    b_accounts.close()
