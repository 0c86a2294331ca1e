"""Issue 13 item 4: a node whose journal's last 64 bytes are overwritten still starts.

The journal is a real file written by ``SqlJournal``; its end is overwritten as
a failing disk or a torn copy would leave it, and the node is started as a real
process: it must cut the damaged tail, keep the damaged file aside and come up
as backup with ``journal_ok: false`` (to be repaired from its peer), not exit
with a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trio
from failover_procs import ProcCluster, wait_health

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine.journal import NewEvent

pytestmark = pytest.mark.slow

RECORDS = 1234


def damaged_journal(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True)
    path = data_dir / "journal.sqlite3"
    with SqlJournal(path) as journal:
        for i in range(RECORDS):
            event = NewEvent(f"dialog:d-{i % 7}", "probe_said", 1, {"text": f"hello {i}"}, 1.0)
            journal.append([event], 1)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size - 64)
        f.write(b"\xa5\xff" * 32)
    with SqlJournal(path) as journal:
        report = journal.verify()
    assert not report.ok and report.first_bad_seq is not None
    return path


def test_a_damaged_tail_is_cut_and_the_node_starts_as_backup(cluster: ProcCluster) -> None:
    cluster.start_witness()
    cluster.add("a", "primary")  # never started: the peer is away, as after a crash
    b = cluster.add("b", "backup")
    path = damaged_journal(b.data_dir)
    cluster.start("b")

    async def started() -> dict[str, object]:
        return await wait_health(b, lambda h: h.get("role") == "backup", timeout=60)

    health = trio.run(started)
    assert health["journal_ok"] is False, health
    log = cluster.log_of("b")
    assert "Traceback" not in log, log
    assert "journal damaged" in log, log
    assert b.proc is not None and b.proc.poll() is None, log
    kept = [p.name for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert kept, os.listdir(path.parent)
