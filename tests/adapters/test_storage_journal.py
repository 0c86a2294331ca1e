"""SqlJournal against the Journal port: real SQLite files (and PostgreSQL when one is given)."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.storage import (
    JournalDivergedError,
    JournalGapError,
    SqlJournal,
    parse_database_url,
)
from frontdesk.adapters.storage.database import execute_sql, open_database
from frontdesk.engine.errors import JournalError, StaleEpoch
from frontdesk.engine.journal import NewEvent, Record

MakeJournal = Callable[..., SqlJournal]


def event(i: int, stream: str = "dialog:d-1", **extra: object) -> NewEvent:
    return NewEvent(
        stream, "message", 1, {"text": f"hello {i}", "n": i, **extra}, 1_700_000_000.0 + i
    )


def postgres_url() -> str:
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip(
            "PostgreSQL path not exercised: set FRONTDESK_TEST_POSTGRES_URL to an empty scratch "
            "database (postgresql://user:password@127.0.0.1:5432/dbname) to run it"
        )
    if importlib.util.find_spec("psycopg2") is None:
        pytest.skip("PostgreSQL path not exercised: psycopg2 missing (the 'postgres' extra)")
    return url


def drop_tables(url: str) -> None:
    db = open_database(parse_database_url(url))
    execute_sql(db, "DROP TABLE IF EXISTS event, node_meta, journal_owner, journal_verified")
    db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def make_journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeJournal]:
    """Opens journals on one database; a second call reopens the same one."""
    opened: list[SqlJournal] = []
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'journal.sqlite3'}"
    else:
        url = postgres_url()
        drop_tables(url)

    def make(**kwargs: object) -> SqlJournal:
        journal = SqlJournal(url, **kwargs)  # type: ignore[arg-type]
        opened.append(journal)
        return journal

    yield make
    for journal in opened:
        journal.close()
    if request.param == "postgresql":
        drop_tables(url)


def test_an_empty_journal_is_at_epoch_1_with_no_records(make_journal: MakeJournal) -> None:
    j = make_journal()
    assert j.last() == (0, 0)
    assert j.epoch() == 1
    assert list(j.read()) == []


def test_append_numbers_records_from_1_and_read_returns_them(make_journal: MakeJournal) -> None:
    j = make_journal()
    made = j.append([event(1), event(2, stream="operator:ann")], epoch=1)
    assert [(r.epoch, r.seq) for r in made] == [(1, 1), (1, 2)]
    assert made[1] == Record(1, 2, "operator:ann", "message", 1, event(2).data, event(2).at)
    assert list(j.read()) == made
    assert j.last() == (1, 2)
    more = j.append([event(3)], epoch=1)
    assert more[0].seq == 3
    assert j.append([], epoch=1) == []
    assert j.last() == (1, 3)


def test_records_survive_reopening_and_seq_continues(make_journal: MakeJournal) -> None:
    j = make_journal()
    first = j.append([event(i) for i in range(5)], epoch=1)
    j.close()
    again = make_journal()
    assert list(again.read()) == first
    assert again.last() == (1, 5)
    assert again.append([event(9)], epoch=1)[0].seq == 6


def test_read_after_seq_and_by_stream_pages_in_seq_order(make_journal: MakeJournal) -> None:
    j = make_journal(chunk_size=3)
    streams = ["dialog:d-1", "dialog:d-2", "operator:ann"]
    made = j.append([event(i, stream=streams[i % 3]) for i in range(20)], epoch=1)
    assert [r.seq for r in j.read()] == list(range(1, 21))
    assert [r.seq for r in j.read(after_seq=13)] == list(range(14, 21))
    assert list(j.read(stream="dialog:d-2")) == [r for r in made if r.stream == "dialog:d-2"]
    assert [r.seq for r in j.read(after_seq=10, stream="operator:ann")] == [12, 15, 18]
    assert list(j.read(after_seq=20)) == []


def test_an_older_epoch_is_refused_and_a_newer_one_is_kept(make_journal: MakeJournal) -> None:
    j = make_journal()
    j.append([event(1)], epoch=1)
    j.append([event(2)], epoch=2)
    assert j.epoch() == 2
    with pytest.raises(StaleEpoch, match=r"cannot append under epoch 1: .* is at epoch 2"):
        j.append([event(3)], epoch=1)
    j.raise_epoch(5)
    j.raise_epoch(3)  # lower: no effect
    assert j.epoch() == 5
    assert j.last() == (2, 2)
    j.close()
    again = make_journal()
    assert again.epoch() == 5
    with pytest.raises(StaleEpoch):
        again.append([event(4)], epoch=4)
    assert again.append([event(4)], epoch=5)[0].seq == 3


def test_an_append_that_fails_leaves_nothing_behind(make_journal: MakeJournal) -> None:
    j = make_journal()
    j.append([event(1)], epoch=1)
    bad = NewEvent("dialog:d-1", "message", 1, {"not json": {1, 2}}, 1.0)
    with pytest.raises(JournalError, match="data of event 'message' on stream 'dialog:d-1'"):
        j.append([event(2), bad], epoch=1)
    assert j.last() == (1, 1)
    assert [r.seq for r in j.read()] == [1]


def test_a_failing_insert_rolls_the_whole_batch_back(tmp_path: Path) -> None:
    """A conflict in the second INSERT of a 150-record append undoes the first INSERT too."""
    path = tmp_path / "j.sqlite3"
    j = SqlJournal(path)
    j.append([event(0)], epoch=1)
    with sqlite3.connect(path) as raw:  # a foreign row where seq 120 will go
        raw.execute(
            "INSERT INTO event (seq, epoch, stream, type, version, data, at, crc) "
            "VALUES (120, 1, 's', 't', 1, '{}', 0, 0)"
        )
    raw.close()
    with pytest.raises(JournalError, match=r"append failed on .*j\.sqlite3: IntegrityError"):
        j.append([event(i) for i in range(150)], epoch=1)
    assert j.last() == (1, 120)  # reloaded from the file after the failure, not guessed
    j.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT seq FROM event ORDER BY seq").fetchall() == [(1,), (120,)]
    raw.close()


def test_append_records_keeps_epoch_and_seq_and_skips_an_identical_overlap(
    make_journal: MakeJournal,
) -> None:
    made = [
        Record(1, 1, "dialog:d-1", "opened", 1, {"visitor": "v"}, 10.0),
        Record(1, 2, "dialog:d-1", "message", 1, {"text": "hi"}, 11.0),
        Record(3, 3, "node", "promoted", 1, {"node": "b"}, 12.5),
    ]
    j = make_journal()
    j.append_records(made[:2])
    j.append_records(made[1:])  # seq 2 again, identical: skipped
    j.append_records([])
    assert list(j.read()) == made
    assert j.last() == (3, 3)
    assert j.epoch() == 3
    with pytest.raises(StaleEpoch):
        j.append([event(4)], epoch=2)


def test_a_replica_file_holds_exactly_the_primary_log(tmp_path: Path) -> None:
    with (
        SqlJournal(tmp_path / "a.sqlite3") as primary,
        SqlJournal(tmp_path / "b.sqlite3") as backup,
    ):
        primary.append([event(i) for i in range(7)], epoch=1)
        primary.raise_epoch(2)
        primary.append([event(8)], epoch=2)
        backup.append_records(list(primary.read(after_seq=0))[:4])
        backup.append_records(list(primary.read(after_seq=backup.last()[1])))
        assert list(backup.read()) == list(primary.read())
        assert backup.last() == primary.last() == (2, 8)


def test_append_records_refuses_a_gap_and_a_divergence(make_journal: MakeJournal) -> None:
    j = make_journal()
    mine = j.append([event(1), event(2)], epoch=1)
    far = Record(1, 4, "dialog:d-1", "message", 1, {"text": "x"}, 4.0)
    with pytest.raises(JournalGapError, match=r"seq 4 .* last seq is 2 \(expected 3\)"):
        j.append_records([far])
    with pytest.raises(JournalGapError, match="seq 5 follows 3 in the batch"):
        j.append_records([Record(1, 3, "s", "t", 1, {}, 3.0), Record(1, 5, "s", "t", 1, {}, 5.0)])
    other = Record(2, 2, mine[1].stream, mine[1].type, 1, {"text": "other"}, mine[1].at)
    with pytest.raises(JournalDivergedError, match=r"seq 2 \(epoch 2\) differs .*epoch 1"):
        j.append_records([other, Record(2, 3, "s", "t", 1, {}, 3.0)])
    assert list(j.read()) == mine  # nothing of the refused batches was written
    with pytest.raises(JournalError, match="epoch 1 is older than the epoch 2"):
        j.append_records([Record(2, 3, "s", "t", 1, {}, 3.0), Record(1, 4, "s", "t", 1, {}, 4.0)])


def test_a_reader_thread_sees_a_gap_free_prefix_while_the_writer_appends(
    tmp_path: Path,
) -> None:
    j = SqlJournal(tmp_path / "j.sqlite3", synchronous="normal", chunk_size=16)
    total = 300
    reads = 0
    lengths: set[int] = set()
    problems: list[str] = []
    progressed = threading.Condition()
    stop = threading.Event()

    def reader() -> None:
        nonlocal reads
        while True:
            finishing = stop.is_set()
            seqs = [r.seq for r in j.read()]
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"not a gap-free prefix: {seqs[:5]}...")
            with progressed:
                reads += 1
                lengths.add(len(seqs))
                progressed.notify_all()
            if finishing:
                return

    def wait_for_reads(count: int) -> bool:
        with progressed:
            return progressed.wait_for(lambda: reads >= count, timeout=30)

    thread = threading.Thread(target=reader, name="journal-reader")
    thread.start()
    for i in range(total):
        j.append([event(i)], epoch=1)
        if i % 50 == 49:  # let the reader finish a read that began mid-way, then go on
            assert wait_for_reads(reads + 2)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert problems == []
    assert total in lengths
    assert len(lengths - {0, total}) >= 3  # reads really ran while the log was growing
    j.close()


def test_a_start_check_walks_what_came_since_and_the_runs_come_from_the_database(
    make_journal: MakeJournal,
) -> None:
    j = make_journal()
    for epoch, count in ((1, 4), (3, 2)):
        j.append([NewEvent("dialog:d-1", "message", 1, {"n": i}, 1.0) for i in range(count)],
                 epoch)
    assert j.epoch_runs() == [(1, 1, 4), (3, 5, 6)]
    assert j.verify().records == 6
    j.close()
    again = make_journal()
    again.append([NewEvent("dialog:d-1", "message", 1, {"n": 9}, 2.0)], 3)
    report = again.verify()
    assert (report.records, report.checked_after, report.last_good_seq) == (1, 6, 7)
    assert again.verify(full=True).records == 7
    assert again.epoch_runs() == [(1, 1, 4), (3, 5, 7)]
