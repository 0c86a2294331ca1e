"""Real processes: what a newcomer does first works (issue 13, finding 10).

Both nodes started before the witness converge to one primary once it answers; and
``frontdesk switchover --node <the backup>`` does the switchover (the backup asks the
primary to hand its role to it) instead of answering with internal names.
"""

from __future__ import annotations

import argparse
import base64
from typing import Any

import pytest
import trio
from cluster_watch import HealthLog, healthz, until
from failover_procs import ProcCluster, free_port, health, start_pair, wait_health
from test_process_failover import manager_password

from frontdesk.adapters.client.http import http_request
from frontdesk.adapters.replication import commands

pytestmark = pytest.mark.slow


async def test_nodes_started_before_the_witness_converge_to_one_primary(
    cluster: ProcCluster,
) -> None:
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    cluster.witness_port = free_port()  # nothing listens there yet
    cluster.start("a")
    cluster.start("b")
    for node in (a, b):  # both up, neither writes: no witness, no lease
        await wait_health(node, lambda h: h["role"] in ("backup", "candidate"), timeout=30)
    log = HealthLog([a, b])
    async with trio.open_nursery() as nursery:
        await nursery.start(log.run)
        cluster.start_witness()
        await until(_one_primary(a, b), 20, "one node became primary once the witness answered")
        nursery.cancel_scope.cancel()
    ha, hb = await health(a), await health(b)
    assert ha is not None and hb is not None
    primary, backup = (a, b) if ha["role"] == "primary" else (b, a)
    await wait_health(backup, lambda h: h["role"] == "backup" and h["link"] == "up"
                      and h["caught_up"], timeout=20)
    await wait_health(primary, lambda h: h["accepts_writes"] and h["link"] == "up", timeout=20)
    assert log.two_writers() == []


def _one_primary(a: Any, b: Any) -> Any:
    async def check() -> bool:
        ha, hb = await healthz(a), await healthz(b)
        return ha is not None and hb is not None and \
            [ha["accepts_writes"], hb["accepts_writes"]].count(True) == 1

    return check


async def test_switchover_asked_of_the_backup_is_done(
    cluster: ProcCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = await start_pair(cluster)
    password = manager_password(cluster, "a")
    args = argparse.Namespace(node=b.url, login="maria", password=password)
    code = await trio.to_thread.run_sync(commands.run, args)
    out = capsys.readouterr()
    assert code == 0, out
    assert "SwitchoverRequested" not in out.out + out.err
    await wait_health(b, lambda h: h["accepts_writes"] and h["link"] == "up"
                      and h["caught_up"], timeout=10)
    ha = await wait_health(a, lambda h: h["role"] == "backup", timeout=10)
    assert ha["caught_up"]
    # the HTTP endpoint of the backup (a, now) does it too: back to a
    token = base64.b64encode(f"maria:{password}".encode()).decode()
    response = await http_request("POST", f"{a.url}/api/cluster/switchover",
                                  headers={"Authorization": f"Basic {token}"}, timeout_s=30)
    assert response.status == 200, response.body
    await wait_health(a, lambda h: h["accepts_writes"] and h["link"] == "up", timeout=10)
    # asked of a node that cannot do it (the backup, forwarding to a backup): a sentence
    response = await http_request("POST", f"{b.url}/api/cluster/switchover",
                                  headers={"Authorization": f"Basic {token}",
                                           "X-Frontdesk-Forwarded": "1"}, timeout_s=30)
    message = response.json()["error"]["message"]
    assert response.status == 409 and "SwitchoverRequested" not in message
    assert a.url in message and "frontdesk switchover --node" in message, message
