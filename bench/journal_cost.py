"""Journal cost: events/s of the peewee SQLite journal, beside a raw sqlite3 floor.

Variants: one event per transaction (what a store that commits each event
alone pays) and group commits of ``batch`` events per transaction (what a
store actor that drains its mailbox into one transaction pays), with
``synchronous`` FULL and NORMAL. The floor does the same inserts into the
same table shape with the bare ``sqlite3`` module (no checksum, no JSON
encoding of the data, no ORM). Each variant runs for a bounded time on a
fresh file.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine.journal import NewEvent

TEXT = "x" * 100


def _event(i: int) -> NewEvent:
    data = {"author": "visitor", "name": "Vera", "text": TEXT, "ref": f"m-{i}"}
    return NewEvent(f"dialog:d-{i % 500}", "message.posted", 1, data, time.time())


def peewee_rate(path: Path, synchronous: str, batch: int, seconds: float) -> dict[str, Any]:
    journal = SqlJournal(path, synchronous=synchronous)  # type: ignore[arg-type]
    try:
        n = 0
        started, cpu = time.perf_counter(), time.thread_time()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            journal.append([_event(n + k) for k in range(batch)], 1)
            n += batch
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    finally:
        journal.close()
    return _rates(n, elapsed, cpu)


def raw_rate(path: Path, synchronous: str, batch: int, seconds: float) -> dict[str, Any]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute(
            "CREATE TABLE event (seq INTEGER PRIMARY KEY, epoch INTEGER, stream TEXT, "
            "type TEXT, version INTEGER, data TEXT, at REAL, crc INTEGER)"
        )
        conn.execute("CREATE INDEX event_stream ON event (stream, seq)")
        n = 0
        started, cpu = time.perf_counter(), time.thread_time()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            rows = []
            for k in range(batch):
                e = _event(n + k)
                rows.append((n + k + 1, 1, e.stream, e.type, 1, json.dumps(e.data), e.at, 0))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO event VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
            n += batch
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    finally:
        conn.close()
    return _rates(n, elapsed, cpu)


def _rates(events: int, elapsed: float, cpu: float) -> dict[str, Any]:
    """The rate, and the CPU time of the writing thread per event (user + system: the
    statement, the WAL's write and the fsync's own work, not the wait for the disk)."""
    return {"events": events, "seconds": elapsed, "events_per_s": events / elapsed,
            "cpu_us_per_event": cpu * 1e6 / max(1, events)}


def measure(seconds: float, batches: tuple[int, ...] = (1, 10, 100)) -> dict[str, Any]:
    """Every variant; keys like ``peewee/full/batch=1``."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="fd-bench-journal-") as tmp:
        for synchronous in ("full", "normal"):
            for batch in batches:
                for kind, fn in (("peewee", peewee_rate), ("sqlite3", raw_rate)):
                    path = Path(tmp) / f"{kind}-{synchronous}-{batch}.sqlite3"
                    out[f"{kind}/{synchronous}/batch={batch}"] = fn(
                        path, synchronous, batch, seconds
                    )
    return out


if __name__ == "__main__":
    for key, value in measure(0.5).items():
        print(f"{key:28s} {value['events_per_s']:10.0f} events/s "
              f"{value['cpu_us_per_event']:8.1f} us CPU/event")
