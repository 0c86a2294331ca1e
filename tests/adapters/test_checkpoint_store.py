"""Checkpoint files: a start from a checkpoint plus the tail equals a full replay; a
corrupt, old-format or foreign checkpoint is skipped with a warning (full replay)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bench.journal_fill import fill
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore, start_state
from frontdesk.engine import checkpoint
from frontdesk.engine.replay import Fold, fold


def state(f: Fold) -> dict[str, Any]:
    return dict(vars(f))


@pytest.fixture
def journal(tmp_path: Path) -> SqlJournal:
    j = SqlJournal(tmp_path / "journal.sqlite3", synchronous="normal")
    fill(j, 600, open_dialogs=5)
    return j


def test_a_start_from_a_checkpoint_replays_only_the_tail(
    tmp_path: Path, journal: SqlJournal
) -> None:
    store = CheckpointStore(tmp_path / "checkpoints")
    store.write(checkpoint.encode(fold(journal.read(), 3)))
    at = journal.last()[1]
    fill(journal, 120, open_dialogs=2)  # more after the checkpoint (numbers reused: fine)
    restarted, report = start_state(CheckpointStore(tmp_path / "checkpoints"), journal, 3)
    assert report.checkpoint_seq == at and report.skipped == ()
    assert report.replayed == journal.last()[1] - at > 0
    assert state(restarted) == state(fold(journal.read(), 3))


def test_only_the_newest_checkpoints_are_kept(tmp_path: Path, journal: SqlJournal) -> None:
    store = CheckpointStore(tmp_path / "c", keep=2)
    for _ in range(3):
        store.write(checkpoint.encode(fold(journal.read(), 3)))
        fill(journal, 30)
    seqs = [int(p.name.split("-")[1].split(".")[0]) for p in store.paths()]
    assert len(seqs) == 2 and seqs == sorted(seqs, reverse=True)
    assert store.last_written_seq == seqs[0]


def _one_checkpoint(tmp_path: Path, journal: SqlJournal) -> tuple[CheckpointStore, Path]:
    store = CheckpointStore(tmp_path / "c")
    return store, store.write(checkpoint.encode(fold(journal.read(), 3)))


def test_a_corrupt_checkpoint_falls_back_to_a_full_replay_with_a_log_line(
    tmp_path: Path, journal: SqlJournal, caplog: pytest.LogCaptureFixture
) -> None:
    store, path = _one_checkpoint(tmp_path, journal)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte in the state
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        restarted, report = start_state(store, journal, 3)
    assert report.checkpoint_seq == 0 and report.replayed == journal.last()[1]
    assert "sha256" in report.skipped[0] and str(path) in caplog.text
    assert "replaying the whole journal" in caplog.text
    assert state(restarted) == state(fold(journal.read(), 3))


def test_an_old_format_checkpoint_falls_back_to_a_full_replay(
    tmp_path: Path, journal: SqlJournal
) -> None:
    store, path = _one_checkpoint(tmp_path, journal)
    data = path.read_bytes()
    body = data[len(checkpoint.MAGIC) :]
    line, _, payload = body.partition(b"\n")
    header = json.loads(line)
    header["schema"] = "written-by-another-version"
    path.write_bytes(checkpoint.MAGIC + json.dumps(header).encode() + b"\n" + payload)
    _, report = start_state(store, journal, 3)
    assert report.checkpoint_seq == 0 and "old-format" in report.skipped[0]


def test_a_checkpoint_of_another_history_is_not_used(tmp_path: Path, journal: SqlJournal) -> None:
    store, _ = _one_checkpoint(tmp_path, journal)
    last = journal.last()[1]
    journal.truncate_after(last - 50)  # the tail was discarded, and rewritten in epoch 2
    journal.raise_epoch(2)
    fill(journal, 100, epoch=2)
    restarted, report = start_state(store, journal, 3)
    assert report.checkpoint_seq == 0 and "another history" in report.skipped[0]
    assert state(restarted) == state(fold(journal.read(), 3))


def test_not_a_checkpoint_is_refused_naming_what_was_expected() -> None:
    with pytest.raises(checkpoint.CheckpointError, match="expected b'frontdesk-checkpoint"):
        checkpoint.decode(b"PK\x03\x04 a zip file")
