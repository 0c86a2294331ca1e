"""``frontdesk verify-journal``: the whole journal checked from the shell, whatever the
start-up checks skipped; refused while a node holds the journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.journal_lock import lock_journal
from frontdesk.engine.journal import NewEvent
from frontdesk.web.cli import main


def fill(data: Path, count: int) -> Path:
    data.mkdir(exist_ok=True)
    path = data / "journal.sqlite3"
    with SqlJournal(path) as j:
        j.append([NewEvent("dialog:d-1", "message", 1, {"text": f"m{i}"}, 1.0 + i)
                  for i in range(count)], epoch=1)
        assert j.verify().ok  # as a start would: 1..count are now "checked before"
    return path


def test_a_sound_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path / "data", 12)
    assert main(["verify-journal", "--data-dir", str(tmp_path / "data")]) == 0
    assert "12 records, seq 1..12, clean" in capsys.readouterr().out


def test_damage_a_start_would_skip_is_found(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = fill(tmp_path / "data", 12)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE event SET data = '{\"text\": \"x\"}' WHERE seq = 5")
    conn.close()
    assert main(["verify-journal", "--data-dir", str(tmp_path / "data")]) == 1
    assert "seq 5: checksum mismatch" in capsys.readouterr().out


def test_no_journal_or_a_running_node_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify-journal", "--data-dir", str(tmp_path / "nothing")]) == 2
    assert "no journal at" in capsys.readouterr().err
    path = fill(tmp_path / "data", 3)
    lock = lock_journal(f"sqlite:///{path}", "node-a")  # what a running node holds
    try:
        assert main(["verify-journal", "--data-dir", str(tmp_path / "data")]) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "frontdesk:" in err, err
