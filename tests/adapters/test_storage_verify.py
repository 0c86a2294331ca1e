"""verify() finds damaged or missing records in a real SQLite file; truncate_after() repairs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from frontdesk.adapters.replication.protocol import EpochRuns
from frontdesk.adapters.storage import CorruptRecordError, SqlJournal
from frontdesk.engine.journal import MemoryJournal, NewEvent


def event(i: int) -> NewEvent:
    return NewEvent("dialog:d-1", "message", 1, {"text": f"payload-{i:04d}"}, 1_700_000_000.0 + i)


def fill(path: Path, count: int) -> None:
    with SqlJournal(path) as j:
        j.append([event(i) for i in range(1, count + 1)], epoch=1)
    # closing the last connection checkpoints the WAL into the file and removes it
    assert not Path(f"{path}-wal").exists()


def raw_sql(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, args)
    conn.close()


def test_a_clean_journal_verifies(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 40)
    with SqlJournal(path, chunk_size=7) as j:
        report = j.verify()
    assert report.ok
    assert (report.records, report.last_good_seq, report.first_bad_seq) == (40, 40, None)
    assert "seq 1..40, clean" in str(report)


def test_an_empty_journal_verifies(tmp_path: Path) -> None:
    with SqlJournal(tmp_path / "j.sqlite3") as j:
        assert j.verify().ok


def test_a_flipped_byte_in_the_file_is_found_at_its_record(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 30)
    image = bytearray(path.read_bytes())
    at = image.find(b"payload-0017")
    assert at > 0 and image.find(b"payload-0017", at + 1) == -1
    image[at + 8] ^= 0x01  # "0017" -> "1017": still valid JSON, wrong content
    path.write_bytes(bytes(image))
    with SqlJournal(path) as j:
        report = j.verify()
        assert not report.ok
        assert (report.first_bad_seq, report.last_good_seq, report.records) == (17, 16, 16)
        assert "checksum mismatch" in (report.problem or "")
        with pytest.raises(CorruptRecordError, match=r"record seq 17 of .*j\.sqlite3 is corrupt"):
            list(j.read())
        assert [r.seq for r in j.read(after_seq=17)] == list(range(18, 31))


def test_data_changed_behind_the_journal_is_found(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 10)
    raw_sql(path, "UPDATE event SET data = ? WHERE seq = 4", '{"text":"payload-0005"}')
    with SqlJournal(path) as j:
        report = j.verify()
    assert (report.first_bad_seq, report.last_good_seq) == (4, 3)


def test_a_missing_record_is_found(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 10)
    raw_sql(path, "DELETE FROM event WHERE seq IN (6, 7)")
    with SqlJournal(path) as j:
        report = j.verify()
    assert report.first_bad_seq == 6
    assert report.problem == "missing (the next stored record is seq 8)"
    assert "5 good records up to seq 5; seq 6: missing" in str(report)


def test_data_that_is_not_json_is_found(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 3)
    raw_sql(path, "UPDATE event SET data = '{\"text\":' WHERE seq = 3")
    with SqlJournal(path) as j:
        report = j.verify()
    assert report.first_bad_seq == 3


def test_truncate_after_removes_and_returns_the_tail(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with SqlJournal(path) as j:
        made = j.append([event(i) for i in range(1, 9)], epoch=1)
        j.raise_epoch(4)
        gone = j.truncate_after(5)
        assert gone == made[5:]
        assert j.last() == (1, 5)
        assert j.epoch() == 4  # the fence stays
        assert j.truncate_after(5) == []
        assert j.append([event(99)], epoch=4)[0].seq == 6
    with SqlJournal(path) as again:
        assert [r.seq for r in again.read()] == [1, 2, 3, 4, 5, 6]
        assert again.last() == (4, 6)
        everything = list(again.read())
        assert again.truncate_after(0) == everything
        assert again.last() == (0, 0)
        assert again.epoch() == 4


def test_a_damaged_tail_is_repaired_by_truncating_at_the_last_good_seq(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 12)
    raw_sql(path, "UPDATE event SET data = 'torn' WHERE seq = 11")
    with SqlJournal(path) as j:
        report = j.verify()
        assert report.first_bad_seq == 11
        gone = j.truncate_after(report.last_good_seq)
        assert [r.seq for r in gone] == [11, 12]
        assert gone[0].data == {"corrupt_data": "torn"}
        assert gone[1].data == {"text": "payload-0012"}
        assert j.verify().ok
        assert j.last() == (1, 10)


@pytest.mark.parametrize(
    "garbage", [b"\xa5\xff" * 32, bytes(range(192, 256))], ids=["a5ff", "c0-ff"]
)
def test_an_overwritten_end_of_file_is_cut_by_rebuilding_the_file(
    tmp_path: Path, garbage: bytes
) -> None:
    """The last 64 bytes overwritten: sqlite calls the image malformed (or the text not UTF-8)
    and cannot delete from it; truncate_after writes a new file with the good records."""
    path = tmp_path / "journal.sqlite3"
    fill(path, 1234)
    image = bytearray(path.read_bytes())
    image[-64:] = garbage
    path.write_bytes(bytes(image))
    with SqlJournal(path) as j:
        report = j.verify()
        assert not report.ok
        cut = j.truncate_after(report.last_good_seq)
        assert j.last() == (1, report.last_good_seq)
        after = j.verify()
        assert after.ok and after.last_good_seq == report.last_good_seq
        assert all(r.seq > report.last_good_seq for r in cut)
        j.append([event(9999)], epoch=1)  # the rebuilt file takes writes
        assert j.last() == (1, report.last_good_seq + 1)
    damaged = [p for p in tmp_path.iterdir() if p.name.startswith("journal.sqlite3.damaged-")]
    assert damaged, list(tmp_path.iterdir())
    with SqlJournal(path) as j:  # and opens again as a plain journal
        assert j.verify().ok


def test_a_start_checks_only_what_was_appended_since_the_last_clean_check(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 40)
    with SqlJournal(path, chunk_size=7) as j:
        assert j.verify().records == 40
    with SqlJournal(path, chunk_size=7) as j:  # the next start: nothing new
        report = j.verify()
        assert report.ok and (report.records, report.last_good_seq) == (0, 40)
        assert "no record since seq 40, clean (1..40 checked before)" in str(report)
        j.append([event(i) for i in range(41, 61)], epoch=2)
    with SqlJournal(path, chunk_size=7) as j:
        report = j.verify()
        assert (report.records, report.last_good_seq, report.checked_after) == (20, 60, 40)
        assert "seq 41..60, clean (1..40 checked before)" in str(report)


def test_damage_below_the_mark_is_found_by_a_full_check(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 30)
    with SqlJournal(path) as j:
        assert j.verify().ok
    raw_sql(path, "UPDATE event SET data = '{\"text\": \"changed\"}' WHERE seq = 12")
    with SqlJournal(path) as j:
        assert j.verify().ok  # records checked before are not read again at a start
        full = j.verify(full=True)
        assert (full.first_bad_seq, full.last_good_seq) == (12, 11)


@pytest.mark.parametrize("how", ["record changed", "record gone"])
def test_a_mark_whose_record_is_not_the_one_checked_means_a_full_check(
    tmp_path: Path, how: str
) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 30)
    with SqlJournal(path) as j:
        assert j.verify().ok
    if how == "record changed":
        raw_sql(path, "UPDATE event SET data = '{\"text\": \"other\"}' WHERE seq = 30")
    else:
        raw_sql(path, "DELETE FROM event WHERE seq = 30")
    with SqlJournal(path) as j:
        report = j.verify()
        assert report.checked_after == 0  # walked from seq 1
        assert not report.ok if how == "record changed" else report.ok
        assert report.records == 29


def test_a_cut_below_the_mark_lowers_it(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    fill(path, 30)
    with SqlJournal(path) as j:
        assert j.verify().ok
        j.truncate_after(20)
        j.append_records([])  # nothing: the journal ends at 20
        j.append([event(i) for i in range(21, 26)], epoch=1)
    with SqlJournal(path) as j:
        report = j.verify()  # 21..25 are new records: checked, from the lowered mark
        assert (report.records, report.checked_after, report.last_good_seq) == (5, 20, 25)


def test_the_epoch_runs_are_counted_by_the_database(tmp_path: Path) -> None:
    sql, memory = SqlJournal(tmp_path / "j.sqlite3"), MemoryJournal()
    with sql:
        for journal in (sql, memory):
            assert journal.epoch_runs() == []
            for epoch, count in ((1, 3), (2, 1), (4, 5)):
                journal.append([event(i) for i in range(count)], epoch=epoch)
            assert journal.epoch_runs() == EpochRuns.of(journal.read(0)).runs
            assert journal.epoch_runs() == [(1, 1, 3), (2, 4, 4), (4, 5, 9)]
