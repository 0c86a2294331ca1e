"""Cutting the damaged tail of an SQLite journal whose file SQLite itself can no longer walk.

A torn or overwritten end of ``journal.sqlite3`` damages pages, not rows: a
``DELETE ... WHERE seq > n`` then fails like the read that found the damage
(``database disk image is malformed``, ``Could not decode to UTF-8 column
'data'``), and so does every repair done inside the file. ``rebuild()``
therefore writes a new file instead: the records up to the last good seq
(``verify()`` read them, so they can be read again: they come first in the
table's key order), the journal's meta row when it can still be read, and
puts it in the damaged file's place. The damaged file is kept beside it,
renamed ``<name>.damaged-<unix time>``, for whoever wants to look at it.

What the damaged part still yields, row by row, is returned (text that is no
longer UTF-8 decoded with replacement characters), so the caller can announce
the discarded tail as it does for a diverged one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee

from frontdesk.adapters.storage.models import FORMAT_VERSION, RowTuple, bind_models

DAMAGE_MARKERS = ("malformed", "not a database", "could not decode", "disk i/o error")
_COLUMNS = "seq, epoch, stream, type, version, data, at, crc"


def is_damage(message: str) -> bool:
    """Whether an SQLite error message says the file is damaged (not busy, not full)."""
    lowered = message.lower()
    return any(marker in lowered for marker in DAMAGE_MARKERS)


@dataclass(frozen=True)
class Salvaged:
    kept: int  # records copied into the new file
    discarded: list[RowTuple]  # what could still be read after the cut
    damaged_copy: Path  # where the damaged file now is


def rebuild(path: Path, keep_seq: int) -> Salvaged:
    """Replace the SQLite file ``path`` by one holding its records up to ``keep_seq``.

    Every connection to ``path`` must be closed before the call.
    """
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    source.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        meta = _meta(source)
        fresh = path.with_name(f"{path.name}.rebuild-{uuid.uuid4().hex[:8]}")
        _make_schema(fresh)
        kept = 0
        target = sqlite3.connect(fresh)
        try:
            with target:
                for rows in _chunks(source, 0, keep_seq):
                    target.executemany(f"INSERT INTO event ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                                       rows)
                    kept += len(rows)
                epoch = max(meta[0], _top_epoch(target))
                target.execute(
                    "INSERT INTO node_meta (id, epoch, node_id, format_version, created_at) "
                    "VALUES (1, ?, ?, ?, ?)",
                    (epoch, meta[1], FORMAT_VERSION, meta[2]),
                )
        finally:
            target.close()
        _fsync(fresh)
        discarded = list(_tail(source, keep_seq))
    finally:
        source.close()
    damaged = path.with_name(f"{path.name}.damaged-{int(time.time())}-{uuid.uuid4().hex[:6]}")
    os.replace(path, damaged)
    for suffix in ("-wal", "-shm"):  # the damaged file's WAL belongs to it, not to the new one
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, damaged.with_name(damaged.name + suffix))
    os.replace(fresh, path)
    _fsync(path.parent)
    return Salvaged(kept, discarded, damaged)


def _make_schema(path: Path) -> None:
    """The journal's empty tables, from the models: what opening a journal would make."""
    db = peewee.SqliteDatabase(str(path), pragmas={"journal_mode": "wal"})
    try:
        db.create_tables(list(bind_models(db)))
    finally:
        db.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _meta(conn: sqlite3.Connection) -> tuple[int, str, float]:
    """(epoch, node_id, created_at) of the meta row; a fresh id if it cannot be read."""
    with contextlib.suppress(sqlite3.Error):
        query = "SELECT epoch, node_id, created_at FROM node_meta WHERE id = 1"
        row = conn.execute(query).fetchone()
        if row is not None:
            return int(row[0]), str(row[1]), float(row[2])
    return 1, uuid.uuid4().hex, time.time()


def _top_epoch(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT epoch FROM event ORDER BY seq DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 1


def _chunks(conn: sqlite3.Connection, after: int, upto: int) -> Iterator[list[RowTuple]]:
    cursor = after
    while cursor < upto:
        rows: list[RowTuple] = conn.execute(
            f"SELECT {_COLUMNS} FROM event WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 512",
            (cursor, upto),
        ).fetchall()
        if not rows:
            return
        yield rows
        cursor = rows[-1][0]


def _tail(conn: sqlite3.Connection, after: int) -> Iterator[RowTuple]:
    """The rows after ``after`` that can still be read, one at a time, until one cannot."""
    cursor = after
    while True:
        try:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM event WHERE seq > ? ORDER BY seq LIMIT 1", (cursor,)
            ).fetchone()
        except sqlite3.Error:
            return
        if row is None:
            return
        yield row
        cursor = row[0]
