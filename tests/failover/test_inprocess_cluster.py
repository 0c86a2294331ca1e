"""Two nodes and a witness in one trio run: replication, failover, fencing, rejoin."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.cluster import default_settings, open_cluster
from frontdesk.engine.errors import StaleEpoch
from frontdesk.engine.journal import NewEvent, Record


def event(i: int) -> NewEvent:
    return NewEvent(stream=f"dialog:d-{i % 5}", type="message", version=1, data={"i": i}, at=0.0)


async def write(node_journal: object, epoch: int, count: int, start: int = 0) -> list[Record]:
    """Append ``count`` events one at a time, as the store would; return the acknowledged."""

    def run() -> list[Record]:
        acked: list[Record] = []
        for i in range(start, start + count):
            acked.extend(node_journal.append([event(i)], epoch))  # type: ignore[attr-defined]
        return acked

    return await trio.to_thread.run_sync(run)


def seqs(records: list[Record]) -> list[int]:
    return [r.seq for r in records]


async def test_backup_receives_everything_in_order(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        assert (a.role, b.role) == ("primary", "backup")
        acked = await write(a.journal, a.epoch, 50)
        await cluster.wait_for(lambda: b.journal_raw.last()[1] == acked[-1].seq)
        assert list(b.journal_raw.read()) == list(a.journal_raw.read())
        assert b.epoch == a.epoch and a.lag == 0 and b.lag == 0


async def test_reconnect_resumes_from_the_backups_last_seq(tmp_path: Path) -> None:
    async with open_cluster(tmp_path, journals=lambda n: SqlJournal(tmp_path / f"{n}.db")) as cl:
        a, b = cl["a"], cl["b"]
        await write(a.journal, a.epoch, 20)
        await cl.wait_for(lambda: b.journal_raw.last()[1] == 20)
        connects = b.follower.connects
        cl.link("a").sever()  # drop the connection: the backup dials again
        await cl.wait_for(lambda: b.follower.connects > connects and a.state.caught_up)
        await write(a.journal, a.epoch, 20, start=20)
        await cl.wait_for(lambda: b.journal_raw.last()[1] == 40)
        assert list(b.journal_raw.read()) == list(a.journal_raw.read())
        assert b.discarded == []


async def test_failover_after_the_primary_dies(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        acked = await write(a.journal, a.epoch, 30)
        old_epoch = a.epoch
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=5)
        assert b.epoch == old_epoch + 1
        # nothing acknowledged lost (sync mode)
        assert seqs(list(b.journal_raw.read()))[: len(acked)] == seqs(acked)
        more = await write(b.journal, b.epoch, 5, start=30)
        assert more[0].seq == acked[-1].seq + 1 and more[0].epoch == b.epoch


async def test_the_old_primary_rejoins_as_backup_and_catches_up(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await write(a.journal, a.epoch, 10)
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=5)
        await write(b.journal, b.epoch, 10, start=10)
        a2 = await cluster.start("a")
        await cluster.wait_for(lambda: a2.role == "backup" and b.state.caught_up, timeout=5)
        assert list(a2.journal_raw.read()) == list(b.journal_raw.read())
        assert a2.epoch == b.epoch
        with pytest.raises(StaleEpoch):
            await write(a2.journal, a2.epoch, 1)


async def test_a_cut_link_never_makes_two_primaries(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await write(a.journal, a.epoch, 5)
        cluster.cut("both")
        # the backup stands for election several times and is refused: a renews its lease
        await cluster.wait_for(lambda: b.follower.connects >= 1 and len(b.history) >= 3, 5)
        assert a.role == "primary" and b.role in ("backup", "candidate")
        # a still accepts writes: the witness was told the backup is not in sync
        acked = await write(a.journal, a.epoch, 5, start=5)
        assert a.gate.is_degraded
        cluster.heal()
        await cluster.wait_for(lambda: b.journal_raw.last()[1] == acked[-1].seq, 5)
        await cluster.wait_for(lambda: a.gate.standby_in_sync() == "b" and not a.gate.is_degraded)
        assert b.discarded == []


async def test_a_one_way_cut_never_makes_two_primaries(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        a, b = cluster["a"], cluster["b"]
        await write(a.journal, a.epoch, 5)
        cluster.link("a").cut("backward")  # a's frames no longer reach b; b's reach a
        await cluster.wait_for(lambda: len(b.history) >= 3, 5)  # b stood and was refused
        assert a.role == "primary" and b.role in ("backup", "candidate")
        acked = await write(a.journal, a.epoch, 5, start=5)
        cluster.heal()
        await cluster.wait_for(lambda: b.journal_raw.last()[1] == acked[-1].seq, 5)
        assert list(b.journal_raw.read()) == list(a.journal_raw.read())
        assert [h for h in b.history if h[1] == "primary"] == []


@pytest.mark.allow_error_logs  # the damaged journal is reported at ERROR, on purpose
async def test_a_corrupted_tail_is_cut_and_repaired_from_the_peer(tmp_path: Path) -> None:
    def journals(name: str) -> SqlJournal:
        return SqlJournal(tmp_path / f"{name}.sqlite3")

    async with open_cluster(tmp_path, journals=journals) as cluster:
        a, b = cluster["a"], cluster["b"]
        await write(a.journal, a.epoch, 20)
        await cluster.wait_for(lambda: b.journal_raw.last()[1] == 20)
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=5)
        await write(b.journal, b.epoch, 5, start=20)
        # flip the data of a's record 18 on disk
        with sqlite3.connect(tmp_path / "a.sqlite3") as raw:
            raw.execute("UPDATE event SET data = '{\"i\": 999}' WHERE seq = 18")
        a2 = await cluster.start("a")  # configured primary, but its journal is damaged
        assert not a2.state.journal_ok and a2.role == "backup"
        assert "seq 18" in (a2.verify_problem or "")
        await cluster.wait_for(lambda: a2.state.caught_up and a2.state.journal_ok, 5)
        assert [h for h in a2.history if h[1] in ("primary", "candidate")] == []
        assert list(a2.journal_raw.read()) == list(b.journal_raw.read())
        assert seqs(a2.discarded) == [18, 19, 20]
        assert a2.journal_raw.verify().ok  # type: ignore[attr-defined]


async def test_switchover_back_to_main_under_load(tmp_path: Path) -> None:
    async with open_cluster(tmp_path) as cluster:
        _a, b = cluster["a"], cluster["b"]
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=5)
        a2 = await cluster.start("a")
        await cluster.wait_for(lambda: a2.role == "backup" and b.state.caught_up, 5)
        await cluster.wait_for(lambda: b.standby_reported == "a", 5)
        acked: list[Record] = []
        refused = 0
        stop = threading.Event()

        def load() -> None:
            nonlocal refused
            i = 0
            while not stop.is_set():
                node = cluster.primary()
                if node is None or not node.accepts_writes():
                    # no writer during the handover: back off instead of spinning on the GIL
                    stop.wait(0.005)
                    continue
                try:
                    acked.extend(node.journal.append([event(i)], node.epoch))
                except StaleEpoch:
                    refused += 1  # not acknowledged: the client sends it again elsewhere
                i += 1

        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.to_thread.run_sync, load)
            try:
                await cluster.wait_for(lambda: len(acked) >= 20)
                await b.switchover(timeout_s=5)
                await cluster.wait_for(lambda: a2.accepts_writes() and len(acked) >= 60, 10)
            finally:
                stop.set()  # also on failure: the thread cannot be cancelled, it must end
        assert b.role == "backup" and a2.role == "primary" and a2.epoch == b.epoch
        await cluster.wait_for(lambda: b.journal_raw.last() == a2.journal_raw.last(), 5)
        on_a = {(r.epoch, r.seq): r for r in a2.journal_raw.read()}
        assert all(on_a.get((r.epoch, r.seq)) == r for r in acked), "an acknowledged write lost"
        assert b.discarded == [] and a2.discarded == []


async def test_async_mode_reports_lag_and_fails_over(tmp_path: Path) -> None:
    async with open_cluster(tmp_path, settings=default_settings(mode="async")) as cluster:
        a, b = cluster["a"], cluster["b"]
        assert a.gate.standby_in_sync() == "*"
        cluster.link("a").cut("both")  # the backup stops receiving: writes go on, lag grows
        acked = await write(a.journal, a.epoch, 10)
        assert a.health()["lag"] == 10 and a.health()["mode"] == "async"
        cluster.heal()
        cluster.link("a").sever()
        await cluster.wait_for(lambda: b.journal_raw.last()[1] == acked[-1].seq, 5)
        await cluster.wait_for(lambda: a.lag == 0, 5)
        cluster.kill("a")
        await cluster.wait_for(b.accepts_writes, timeout=5)
        assert seqs(list(b.journal_raw.read())) == seqs(acked)
