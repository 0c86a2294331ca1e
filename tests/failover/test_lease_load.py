"""Real processes: lease renewal is not starved by load (issue 13, finding 1).

A short lease (0.6 s: renewed every 0.15 s, counted as 0.54 s) on a primary kept busy
by a burst of writes from many visitors: the primary never fences itself for want
of a renewal, so it accepts writes at every poll of the burst.
"""

from __future__ import annotations

import pytest
import trio
from cluster_watch import HealthLog, Talkers, until
from failover_procs import ProcCluster, start_pair

pytestmark = [pytest.mark.slow, pytest.mark.alone]  # a 0.6 s lease of real time

TIMINGS = {"lease_s": "0.6", "failover_timeout_s": "2.0", "heartbeat_interval_s": "0.1",
           "sync_timeout_s": "1.0"}


async def test_a_burst_of_writes_never_starves_the_lease(cluster: ProcCluster) -> None:
    cluster.timings.update(TIMINGS)
    a, _b = await start_pair(cluster)
    talkers = Talkers(cluster, count=40, pace_s=0.01)
    log = HealthLog([a])
    async with trio.open_nursery() as nursery:
        await talkers.run(nursery)
        await until(lambda: len(talkers.acks_at) >= 40, 30, "the talkers got going")
        await nursery.start(log.run)
        before = fences(cluster)  # (the start of b, CPU-bound on a shared machine, is not it)
        start, t_start = len(talkers.acks_at), trio.current_time()
        await until(lambda: len(talkers.acks_at) >= start + 1500, 60, "1500 writes acknowledged")
        during = fences(cluster)[len(before):]
        await talkers.aclose()
        nursery.cancel_scope.cancel()
    assert during == [], during
    assert log.samples and all(s.body["accepts_writes"] for s in log.samples)
    assert [r for r in talkers.refusals if r[0] > t_start] == []


def fences(cluster: ProcCluster) -> list[str]:
    return [line for line in cluster.log_of("a").splitlines() if "a is fenced" in line]
