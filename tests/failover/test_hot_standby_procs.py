"""Real processes: with a 50k-record journal, the backup's promotion replays nothing.

Both nodes start on a copy of a journal filled straight through the store port
(``bench.journal_fill``, no websockets) and a checkpoint of it, so each starts from the
checkpoint plus an empty tail. The primary is killed with SIGKILL; the backup promotes
from the state it kept live: its ``/api/cluster`` reports 0 records replayed at the
promotion (the structural form of "promotion time does not grow with the journal"),
every open dialog of the big journal is there, and a fresh dialog opens at once.
"""

from __future__ import annotations

import shutil
import signal

import pytest
import trio
from failover_procs import ProcCluster, wait_health

from bench.journal_fill import fill
from frontdesk.adapters.client import Backoff, VisitorClient
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.engine import checkpoint
from frontdesk.engine.replay import Fold
from frontdesk.engine.settings import EngineSettings

pytestmark = pytest.mark.slow

RECORDS = 50_000
OPEN = 40


async def test_promotion_with_a_big_journal_replays_nothing(cluster: ProcCluster) -> None:
    cluster.start_witness()
    a = cluster.add("a", "primary")
    b = cluster.add("b", "backup")
    a.data_dir.mkdir(parents=True)
    journal = SqlJournal(a.data_dir / "journal.sqlite3", synchronous="normal")
    state = Fold(EngineSettings().default_capacity)
    last = fill(journal, RECORDS, open_dialogs=OPEN, into=state)
    journal.close()
    CheckpointStore(a.data_dir / "checkpoints").write(checkpoint.encode(state))
    shutil.copytree(a.data_dir, b.data_dir)
    assert last >= RECORDS * 0.99

    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    linked = await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    assert linked["last_seq"] >= last  # (a closes the long-idle dialogs it started with)
    started = await wait_health(b, lambda h: h["caught_up"], timeout=30)
    assert started["standby"]["start_checkpoint_seq"] == last  # checkpoint + tail ...
    assert started["standby"]["start_replayed"] == 0  # ... and the tail was empty

    cluster.signal("a", signal.SIGKILL)
    promoted = await wait_health(b, lambda h: h["ready"], timeout=30)
    assert promoted["role"] == "primary"
    assert promoted["standby"]["replayed_at_promotion"] == 0
    newcomer = VisitorClient([b.url], backoff=Backoff(base_s=0.1, max_s=0.2))
    async with trio.open_nursery() as nursery:
        await nursery.start(newcomer.run)
        ack = await newcomer.open("newcomer", timeout=10)
        # the dialogs of the big journal are all there: the new one takes the next number
        assert ack["dialog"] == f"d-{state.next_number}"
        await newcomer.aclose()
    assert "0 records replayed" in cluster.log_of("b")
