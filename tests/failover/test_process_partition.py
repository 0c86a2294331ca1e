"""Real processes with the link between them cut (both ways, one way) by a TCP proxy.

Clients reach both nodes directly; only the replication link (and the
addresses the nodes advertise to each other) goes through the proxies.
Never two nodes accepting writes in one epoch; after healing nothing
acknowledged is discarded.
"""

from __future__ import annotations

import pytest
import trio
from failover_procs import NodeProc, ProcCluster, health, wait_health
from test_process_failover import check_nothing_lost, messages_in

from frontdesk.adapters.client import VisitorClient
from frontdesk.adapters.testing.cluster import Direction, LinkProxy

pytestmark = pytest.mark.slow


async def start_through_proxies(
    cluster: ProcCluster, nursery: trio.Nursery
) -> tuple[NodeProc, NodeProc, LinkProxy, LinkProxy]:
    """a (primary) and b (backup); each reaches the other only through a proxy."""
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    to_a, to_b = LinkProxy(a.port), LinkProxy(b.port)
    await nursery.start(to_a.run)
    await nursery.start(to_b.run)
    a.advertise_url = b.peer_url = f"http://127.0.0.1:{to_a.port}"
    b.advertise_url = a.peer_url = f"http://127.0.0.1:{to_b.port}"
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    return a, b, to_a, to_b


@pytest.mark.parametrize("direction", ["both", "forward", "backward"])
async def test_cut_link_one_writer_per_epoch_nothing_lost(
    cluster: ProcCluster, direction: Direction, nursery: trio.Nursery
) -> None:
    a, b, to_a, to_b = await start_through_proxies(cluster, nursery)

    acked: dict[str, list[tuple[int, str]]] = {}
    violations: list[tuple[dict[str, object], dict[str, object]]] = []
    stop = trio.Event()

    async def talk(i: int, client: VisitorClient) -> None:
        dialog = str((await client.open(f"v{i}", timeout=30))["dialog"])
        acked[dialog] = []
        n = 0
        while not stop.is_set():
            got = await client.say(f"v{i} m{n}", timeout=30)
            acked[dialog].append((int(got["seq"]), f"v{i} m{n}"))
            n += 1
            await trio.sleep(0.1)  # pacing: ~10 messages/s per visitor

    async def watch() -> None:
        while not stop.is_set():
            ha, hb = await health(a), await health(b)
            if ha and hb and ha["ready"] and hb["ready"] and ha["epoch"] == hb["epoch"]:
                violations.append((ha, hb))
            await trio.sleep(0.05)  # sampling period

    async with trio.open_nursery() as inner:
        clients = [VisitorClient([a.url, b.url]) for _ in range(5)]
        for c in clients:
            await inner.start(c.run)
        async with trio.open_nursery() as talkers:
            for i, c in enumerate(clients):
                talkers.start_soon(talk, i, c)
            talkers.start_soon(watch)
            await wait_health(a, lambda h: h["last_seq"] >= 10, 30)
            to_a.cut(direction)
            to_b.cut(direction)
            if direction == "forward":  # b hears a, a never hears b's acks: a degrades
                await wait_health(a, lambda h: h["degraded"], 30)
            else:  # b hears nothing: it stands for election, in vain
                await wait_health(b, lambda h: h["link"] == "down", 30)
            await trio.sleep(3.0)  # the partition lasts this long (a duration, not a wait)
            to_a.heal()
            to_b.heal()
            to_a.sever()  # make the held connections start over
            to_b.sever()
            await wait_health(b, lambda h: h["link"] == "up" and h["caught_up"], 30)
            await wait_health(a, lambda h: not h["degraded"], 30)
            stop.set()
        for c in clients:
            await c.aclose()
    assert violations == []
    ha, hb = await health(a), await health(b)
    assert ha is not None and hb is not None
    assert (ha["role"], hb["role"]) == ("primary", "backup"), (ha, hb)
    assert ha["discarded"] == 0 and hb["discarded"] == 0
    await wait_health(b, lambda h: h["last_seq"] == ha["last_seq"], 10)
    cluster.stop_all()
    check_nothing_lost(acked, messages_in(a.data_dir / "journal.sqlite3"))
    assert messages_in(a.data_dir / "journal.sqlite3") == messages_in(
        b.data_dir / "journal.sqlite3"
    )
