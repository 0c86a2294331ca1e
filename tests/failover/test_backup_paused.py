"""Real processes, sync mode: the backup stops acknowledging while its link stays open.

A candidate state of the wedge seen once in ``bench.failover`` (issue 13: a primary
stayed ``accepts_writes: false`` with its link down for minutes): in sync mode every
write waits for the backup's ack; a backup that is paused (SIGSTOP: the TCP connection
stays up, nothing is acknowledged, nothing is refused) must not hold the primary's
writes for good. The primary tells the witness its backup is not in sync, and writes
go on without it; when the backup runs again it catches up, is reported as the standby
again, and a kill -9 of the primary then fails over to it with nothing lost.
"""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable

import pytest
import trio
from cluster_watch import HealthLog, Talkers, healthz, until, witness_status
from failover_procs import ProcCluster, start_pair, wait_health
from test_process_failover import check_nothing_lost, messages_in

pytestmark = pytest.mark.slow

TIMINGS = {
    "lease_s": "1.0",
    "failover_timeout_s": "2.0",
    "heartbeat_interval_s": "0.2",
    "sync_timeout_s": "0.5",
}


async def test_a_paused_backup_never_holds_the_primarys_writes(cluster: ProcCluster) -> None:
    cluster.timings.update(TIMINGS)
    a, b = await start_pair(cluster)
    talkers = Talkers(cluster, count=6)
    log = HealthLog([a, b])
    async with trio.open_nursery() as nursery:
        await nursery.start(log.run)
        await talkers.run(nursery)
        await until(lambda: len(talkers.acks_at) >= 30, 30, "the talkers got going")
        await until(_standby_is(cluster, "b"), 10, "b is the witness's standby in sync")
        cluster.signal("b", signal.SIGSTOP)
        paused = trio.current_time()
        # writes wait for b at most sync_timeout_s, then the witness is told b is not in
        # sync and they go on without it: the primary keeps taking messages
        await until(lambda: talkers.acks_after(paused + 1.5) >= 3 * talkers.count, 20,
                    "a acknowledged writes with its backup paused")
        await until(_standby_is(cluster, None), 5, "the witness knows b is not in sync")
        ha = await healthz(a)
        assert ha is not None and ha["accepts_writes"] and ha["degraded"], ha
        cluster.signal("b", signal.SIGCONT)
        healed = trio.current_time()
        # b catches up by itself and is the standby in sync again
        await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"]
                          and not h["degraded"], timeout=20)
        await until(_standby_is(cluster, "b"), 10, "b is the standby in sync again")
        await until(lambda: talkers.acks_after(healed) >= 3 * talkers.count, 20,
                    "writes go on after b is back")
        # ... so it may take over: kill -9 a, b serves, nothing acknowledged is lost
        cluster.signal("a", signal.SIGKILL)
        killed = trio.current_time()
        await wait_health(b, lambda h: h["accepts_writes"], timeout=20)
        await until(lambda: talkers.acks_after(killed) >= 2 * talkers.count, 30,
                    "writes go on on b")
        await talkers.aclose()
        nursery.cancel_scope.cancel()
    assert log.two_writers() == []
    contradictions = [s for s in log.samples if log.inconsistent(s.body)]
    assert contradictions == [], contradictions[:3]
    cluster.stop_all()
    check_nothing_lost(talkers.acked, messages_in(b.data_dir / "journal.sqlite3"))


def _standby_is(cluster: ProcCluster, name: str | None) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        status = await witness_status(cluster)
        return status is not None and status.get("standby") == name

    return check
