"""Real processes: the witness is down for 6 s under load (issue 13, finding 3).

The primary cannot renew its lease: it fences itself and stays up, refuses writes with
``not_primary`` (and says so on ``/healthz``), and resumes by itself once the witness
answers again; the backup never accepts writes meanwhile. The witness is paused
(SIGSTOP: its port still accepts connections, nothing answers) or killed and started
again (a refused port, then a witness that reloads its book).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trio
from cluster_watch import HealthLog, Talkers, healthz, until
from failover_procs import NodeProc, ProcCluster, start_pair
from test_process_failover import check_nothing_lost, messages_in

from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.adapters.witness import book
from frontdesk.adapters.witness import server as witness_server
from frontdesk.adapters.witness.book import Answer, Lease
from frontdesk.engine.errors import StaleEpoch
from frontdesk.engine.journal import NewEvent

OUTAGE_S = 6.0


@pytest.mark.slow
@pytest.mark.parametrize("how", ["sigstop", "kill"])
async def test_a_witness_outage_fences_the_primary_which_stays_up(
    cluster: ProcCluster, how: str
) -> None:
    a, b = await start_pair(cluster)
    assert cluster.witness is not None
    talkers = Talkers(cluster, count=6)
    log = HealthLog([a, b])
    async with trio.open_nursery() as nursery:
        await nursery.start(log.run)
        await talkers.run(nursery)
        await until(lambda: len(talkers.acks_at) >= 30, 30, "the talkers got going")
        if how == "sigstop":
            cluster.witness.send_signal(signal.SIGSTOP)
        else:
            cluster.witness.kill()
            cluster.witness.wait(timeout=10)
        down = trio.current_time()
        await until(_fenced(a), 10, "a stopped accepting writes without its witness")
        with trio.move_on_at(down + OUTAGE_S):  # the outage lasts this long: watch it
            while True:
                assert cluster.nodes["a"].proc is not None
                assert cluster.nodes["a"].proc.poll() is None, cluster.log_of("a")[-3000:]
                ha, hb = await healthz(a), await healthz(b)
                assert ha is not None and not ha["accepts_writes"], ha
                assert ha["http_status"] == 503 and ha["role"] in ("fenced", "primary")
                assert hb is None or not hb["accepts_writes"], hb
                await trio.sleep(0.1)  # sampling period
        refused_during = [r for r in talkers.refusals if r[0] > down]
        if how == "sigstop":
            cluster.witness.send_signal(signal.SIGCONT)
        else:
            cluster.start_witness()  # same port, same state file
        back = trio.current_time()
        await until(lambda: talkers.acks_after(back) >= 3 * talkers.count, 20,
                    "writes resumed once the witness answered")
        ha = await healthz(a)
        await talkers.aclose()
        nursery.cancel_scope.cancel()
    assert ha is not None and ha["accepts_writes"] and ha["role"] == "primary", ha
    assert all(code == "not_primary" for _, _, code in refused_during), refused_during
    assert log.two_writers() == []
    assert talkers.lies(log, {a.url: "a", b.url: "b"}) == []
    assert "Traceback" not in cluster.log_of("a") + cluster.log_of("b")
    cluster.stop_all()
    check_nothing_lost(talkers.acked, messages_in(a.data_dir / "journal.sqlite3"))


def _fenced(node: NodeProc) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        h = await healthz(node)
        return h is not None and not h["accepts_writes"]

    return check


async def test_a_witness_answering_errors_fences_the_primary_which_stays_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one trio run: the witness cannot save its book (each change it is asked for is
    answered with an error). The primary treats that as an unreachable witness: it
    fences itself, keeps asking, and gets its lease back once the witness can save.

    Asking again for its own epoch needs no save (the book does not change), but the
    book still names the dead backup as the standby in sync: the node stays fenced until
    the witness has recorded that there is none (CI: it resumed at once, and flapped)."""
    acquires: list[str] = []

    def counted(lease: Lease, node: str, *args: Any, **kwargs: Any) -> tuple[Lease, Answer]:
        acquires.append(node)
        return book.acquire(lease, node, *args, **kwargs)

    monkeypatch.setattr(witness_server, "acquire", counted)
    async with open_cluster(tmp_path) as cl:
        a = cl["a"]
        cl.kill("b")  # a's next write stalls: a must tell the witness "no standby in sync"
        blocker = tmp_path / "witness.json.tmp"
        blocker.mkdir()  # the witness's atomic write of its book fails from now on

        def write() -> None:
            with contextlib.suppress(StaleEpoch):
                a.journal.append([NewEvent("dialog:d-1", "note", 1, {}, 0.0)], a.epoch)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(partial(trio.to_thread.run_sync, write, abandon_on_cancel=True))
            await cl.wait_for(lambda: a.role == "fenced", timeout=10)
        fenced_at = len(a.history)
        asked = len(acquires)
        await cl.wait_for(lambda: acquires.count("a") >= asked + 3, timeout=10)
        assert not a.accepts_writes()
        assert [role for _, role, _ in a.history[fenced_at:]] == [], a.history
        blocker.rmdir()
        await cl.wait_for(a.accepts_writes, timeout=10)
        assert a.role == "primary" and cl["a"] is a  # the same node, never crashed
