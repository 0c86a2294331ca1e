"""Real processes: switchovers keep the backup (issue 13, finding 5).

After a switchover the old primary reconnects as backup while the new one may still be
promoting; the backup link made then must survive the promotion. Each time: the new
primary shows its backup linked and caught up with no lag, the witness names the old
primary as the standby in sync, and the next switchover (back) works. After the last
one, killing the primary (kill -9) leads to a takeover, and the killed node restarted
with the README's ``--role backup`` command rejoins as backup.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any

import pytest
import trio
from cluster_watch import until, witness_status
from failover_procs import NodeProc, ProcCluster, health, start_pair, wait_health
from test_process_failover import manager_password

from frontdesk.adapters.replication import commands
from frontdesk.adapters.testing.cluster import open_cluster

SWITCHOVERS = 5


def linked_and_caught_up(h: dict[str, Any]) -> bool:
    return h["role"] == "primary" and h["accepts_writes"] and h["link"] == "up" \
        and h["caught_up"] and h["lag"] == 0


async def switch_over(cluster: ProcCluster, primary: NodeProc, backup: NodeProc) -> None:
    args = argparse.Namespace(node=primary.url, login="maria",
                              password=manager_password(cluster, "a"))
    code = await trio.to_thread.run_sync(commands.run, args)
    assert code == 0, (await health(primary), await health(backup))
    # the new primary keeps the backup that reconnected during its promotion
    await wait_health(backup, linked_and_caught_up, timeout=10)
    await until(_standby_is(cluster, primary.name), 10,
                f"the witness names {primary.name} as the standby in sync")
    hp = await wait_health(primary, lambda h: h["role"] == "backup" and h["caught_up"], 10)
    assert hp["link"] == "up" and hp["lag"] == 0 and hp["discarded"] == 0


@pytest.mark.slow
async def test_switchovers_keep_the_backup_then_kill_then_rejoin(cluster: ProcCluster) -> None:
    a, b = await start_pair(cluster)
    await until(_standby_is(cluster, "b"), 10, "the witness names b as the standby in sync")
    primary, backup = a, b
    for _ in range(SWITCHOVERS):
        await switch_over(cluster, primary, backup)
        primary, backup = backup, primary
    # the primary dies: its backup, in sync at the witness, takes over
    cluster.signal(primary.name, signal.SIGKILL)
    await wait_health(backup, lambda h: h["accepts_writes"], timeout=10)
    # the README's command brings the killed node back as backup
    killed = cluster.nodes[primary.name]
    killed.role = "backup"
    cluster.start(primary.name)
    await wait_health(killed, lambda h: h["role"] == "backup" and h["caught_up"]
                      and h["link"] == "up", timeout=20)
    await wait_health(backup, linked_and_caught_up, timeout=10)
    assert killed.proc is not None and killed.proc.poll() is None
    assert "Traceback" not in cluster.log_of("a") + cluster.log_of("b")


def _standby_is(cluster: ProcCluster, name: str) -> Any:
    async def check() -> bool:
        status = await witness_status(cluster)
        return status is not None and status.get("standby") == name

    return check


async def test_in_process_switchovers_keep_the_backup_linked(tmp_path: Path) -> None:
    """The same in one trio run (no engine): six idle switchovers back and forth; after
    each the new primary has its backup linked, caught up, reported to the witness."""
    async with open_cluster(tmp_path) as cl:
        primary, backup = cl["a"], cl["b"]
        await cl.wait_for(lambda: primary.standby_reported == "b", 5)
        for _ in range(6):
            await primary.switchover(timeout_s=5)
            new, old = backup, primary
            await cl.wait_for(
                lambda n=new, o=old: n.accepts_writes() and n.state.link_up
                and n.state.caught_up and n.lag == 0 and n.standby_reported == o.settings.node_name
                and o.role == "backup" and o.state.caught_up,
                5,
            )
            primary, backup = new, old
