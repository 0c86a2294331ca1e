"""``bench.failover``'s cached pre-filled journal gets a checkpoint of today's state
schema: one cached before a state class changed was skipped by both nodes, which then
replayed the whole journal (a 1M-record run spent its first minute there)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.failover_cluster import checkpoint_current, prepared_journal
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.engine import checkpoint


def age(path: Path) -> None:
    """Rewrite checkpoint ``path`` as if made under another state schema."""
    magic, head, payload = path.read_bytes().split(b"\n", 2)
    header = json.loads(head)
    header["schema"] = "0" * len(header["schema"])
    path.write_bytes(b"\n".join([magic, json.dumps(header).encode(), payload]))


def test_a_cached_checkpoint_of_an_old_schema_is_made_again(tmp_path: Path) -> None:
    folder = prepared_journal(tmp_path, 200)
    store = CheckpointStore(folder / "checkpoints")
    assert checkpoint_current(store.directory)
    age(store.paths()[0])
    assert not checkpoint_current(store.directory)
    again = prepared_journal(tmp_path, 200)
    assert again == folder and checkpoint_current(store.directory)
    [path] = store.paths()
    journal = SqlJournal(folder / "journal.sqlite3")
    try:
        assert checkpoint.read_header(path.read_bytes()).seq == journal.last()[1]
        fold, seq, skipped = store.load(journal, 3)
    finally:
        journal.close()
    assert fold is not None and seq == journal.last()[1] and skipped == ()
