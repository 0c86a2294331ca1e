"""Real processes: the primary's lease lapses under load (issue 13, finding 1).

The primary a is paused (SIGSTOP) or the witness is, just until a's lease is over,
while visitors keep talking; then the fault heals. Whatever the lease did, a either
accepts writes or says it does not — on ``/healthz`` at every poll, and to clients
(``not_primary``) — and it recovers by itself: writes resume. The backup's failover
timeout is long here, so the recovery is a's own, not a takeover.
"""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable

import pytest
import trio
from cluster_watch import HealthLog, Talkers, healthz, until, witness_status
from failover_procs import NodeProc, ProcCluster, start_pair
from test_process_failover import check_nothing_lost, messages_in

pytestmark = pytest.mark.slow

TIMINGS = {"lease_s": "1.0", "failover_timeout_s": "4.0", "heartbeat_interval_s": "0.2"}


def stop_process(cluster: ProcCluster, which: str, sig: signal.Signals) -> None:
    if which == "witness":
        assert cluster.witness is not None
        cluster.witness.send_signal(sig)
    else:
        cluster.signal(which, sig)


@pytest.mark.parametrize("paused", ["a", "witness"])
async def test_a_lapsed_lease_never_wedges_the_primary(cluster: ProcCluster, paused: str) -> None:
    cluster.timings.update(TIMINGS)
    a, b = await start_pair(cluster)
    talkers = Talkers(cluster, count=8)
    log = HealthLog([a, b])
    async with trio.open_nursery() as nursery:
        await nursery.start(log.run)
        await talkers.run(nursery)
        await until(lambda: len(talkers.acks_at) >= 40, 30, "the talkers got going")
        for _ in range(2):  # twice: a lapse after a recovery recovers too
            stop_process(cluster, paused, signal.SIGSTOP)
            if paused == "witness":  # a's lease runs out: it must say so and refuse writes
                await until(_not_writable(a), 10, "a fenced itself")
            else:  # the witness's view of a's lease ends after a's own view does
                await until(_lease_over(cluster), 10, "a's lease ran out at the witness")
            stop_process(cluster, paused, signal.SIGCONT)
            healed = trio.current_time()
            await until(lambda t=healed: talkers.acks_after(t) >= 3 * talkers.count, 20,
                        "writes resumed after the heal")
        ha = await healthz(a)
        await talkers.aclose()
        nursery.cancel_scope.cancel()
    assert ha is not None and ha["accepts_writes"] and ha["role"] == "primary", ha
    assert log.two_writers() == []
    contradictions = [s for s in log.samples if log.inconsistent(s.body)]
    assert contradictions == [], contradictions[:3]
    # never refusing writes while saying, poll after poll, that it accepts them
    lies = talkers.lies(log, {a.url: "a", b.url: "b"})
    assert lies == [], lies[:3]
    cluster.stop_all()
    check_nothing_lost(talkers.acked, messages_in(a.data_dir / "journal.sqlite3"))


def _not_writable(node: NodeProc) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        h = await healthz(node)
        return h is not None and not h["accepts_writes"]

    return check


def _lease_over(cluster: ProcCluster) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        status = await witness_status(cluster)
        return status is not None and status["expires_in_s"] == 0

    return check
