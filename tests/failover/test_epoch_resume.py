"""Real processes, async mode: a failover discards acknowledged entries a client holds.

The replication link (through a TCP proxy) is cut while a visitor goes on talking to the
primary, which acknowledges in async mode without its backup; then the primary is killed
with SIGKILL. The backup promotes without those entries, and the seqs they had are free
again. The visitor reconnects to it and resumes from its cursor ``(epoch, seq)``: it is
told ``dialog.discontinuity``, drops the discarded entries, and is replayed the durable
history — the new messages at the reused seqs included; nothing durable is hidden.
"""

from __future__ import annotations

import signal

import pytest
import trio
from failover_procs import ProcCluster, health, wait_health
from test_process_failover import messages_in
from test_process_partition import start_through_proxies

from frontdesk.adapters.client import VisitorClient

pytestmark = pytest.mark.slow


async def test_a_discarded_tail_is_announced_and_the_durable_entries_shown(
    cluster: ProcCluster, nursery: trio.Nursery
) -> None:
    cluster.mode = "async"
    a, b, to_a, _ = await start_through_proxies(cluster, nursery)
    vera = VisitorClient([a.url, b.url], ping_interval_s=0.2, ping_timeout_s=0.5,
                         connect_timeout_s=1.0)
    await nursery.start(vera.run)
    dialog = str((await vera.open("Vera", timeout=30))["dialog"])
    for n in range(3):
        await vera.say(f"kept {n}", timeout=10)
    replicated = vera.last_seq[dialog]
    old_epoch = vera.last_epoch[dialog]
    await wait_health(a, lambda h: h["lag"] == 0 and h["caught_up"], timeout=30)

    to_a.cut("both")  # the backup hears nothing more; a acknowledges alone (async)
    lost = [await vera.say(f"lost {n}", timeout=10) for n in range(3)]
    assert [f["seq"] for f in lost] == list(range(replicated + 1, replicated + 4))
    assert all(f["epoch"] == old_epoch for f in lost)
    cluster.signal("a", signal.SIGKILL)

    promoted = await wait_health(b, lambda h: h["ready"], timeout=30)
    assert promoted["epoch"] > old_epoch
    told = await vera.wait_for("dialog.discontinuity", timeout=30)
    assert told["dialog"] == dialog and told["after_seq"] == replicated
    assert vera.url == b.url
    after = [await vera.say(f"after {n}", timeout=10) for n in range(3)]
    # the new entries take the seqs the discarded ones had, in the new epoch
    assert [f["seq"] for f in after] == [f["seq"] for f in lost]
    assert all(f["epoch"] == promoted["epoch"] for f in after)
    assert {f["text"] for f in vera.dropped} == {f"lost {n}" for n in range(3)}
    view = [(f["seq"], f.get("text")) for f in vera.entries[dialog]
            if f["type"] == "dialog.message"]
    await vera.aclose()
    assert (await health(b) or {}).get("role") == "primary"
    cluster.stop_all()
    durable = messages_in(b.data_dir / "journal.sqlite3")[dialog]
    assert view == durable  # every durable entry shown, once, in order; nothing else
    assert [t for _, t in durable] == [*(f"kept {n}" for n in range(3)),
                                       *(f"after {n}" for n in range(3))]
