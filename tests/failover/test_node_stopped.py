"""A node whose run has ended ignores what its threads still post to its loop.

The renewal thread posts what the witness answered (``renewed``, ``refused``,
``expired``) with ``call_soon``; one posted as the node stops used to run after the
node's nursery had closed: ``start_soon`` raised "Nursery is closed to new arrivals"
inside trio's run_sync_soon queue, which trio reports as a TrioInternalError that ends
the whole process (seen once in CI, from docs/harness.md's failover example).
"""

from __future__ import annotations

from pathlib import Path

import trio
import trio.testing

from frontdesk.adapters.testing.cluster import open_cluster


async def test_a_lease_expiry_posted_after_the_node_stopped_is_dropped(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a = cluster["a"]
        await cluster.wait_for(a.accepts_writes, timeout=10)
        cluster.kill("a")
        await cluster.down("a")
        # what a renewal thread still running would post: the lease lapsed
        a.call_soon(a.lease.expired)
        await trio.testing.wait_all_tasks_blocked()
        assert not a.accepts_writes()
        await cluster.wait_for(cluster["b"].accepts_writes, timeout=10)
