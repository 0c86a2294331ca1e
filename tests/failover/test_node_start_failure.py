"""A node that cannot start is reported at once, with why, not after the wait's timeout.

CI once waited 60 s on a node that never answered ("last: None") and said nothing more.
A node whose port something else holds exits; ``wait_health`` now says so as soon as
the process has ended, with its exit code and the end of its log.
"""

from __future__ import annotations

import socket

import pytest
import trio
from failover_procs import ProcCluster, wait_health

pytestmark = pytest.mark.slow


async def test_a_node_whose_port_is_held_is_reported_with_its_exit_and_log(
    cluster: ProcCluster,
) -> None:
    cluster.start_witness()
    a = cluster.add("a", "primary")
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", a.port))
        holder.listen()
        cluster.start("a")
        with trio.fail_after(30), pytest.raises(AssertionError) as failure:
            await wait_health(a, lambda h: h["ready"], timeout=60)
    said = str(failure.value)
    assert "node a stopped before reaching the expected state" in said
    assert f"port {a.port}, exited with" in said
    assert "cannot listen" in said and "already in use" in said
