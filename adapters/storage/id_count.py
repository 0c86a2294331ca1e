"""The id count of an SQLite table keyed ``INTEGER PRIMARY KEY AUTOINCREMENT``.

SQLite keeps, in ``sqlite_sequence``, the largest id a table ever held, and gives each new
row the next one: an id is never given twice, even after its row is deleted. A backup's
copy of such a table (``adapters/replication/row_link.py``) holds only the rows it was
sent, so its count can lag the primary's; the link carries the primary's count and the
backup raises its own to it. On PostgreSQL the nodes share the table and its sequence:
there is no count to carry (``last_id`` is 0, ``raise_to`` changes nothing).
"""

from __future__ import annotations

from frontdesk.adapters.storage.database import TrackedDatabase

MAX_ID = 2**63 - 1  # SQLite's largest rowid


def last_id(db: TrackedDatabase, table: str, *, sqlite: bool) -> int:
    """The largest id ``table`` ever gave (0 when none, and on PostgreSQL)."""
    if not sqlite:
        return 0
    rows = db.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchall()
    return int(rows[0][0]) if rows else 0


def raise_to(db: TrackedDatabase, table: str, last: int, *, sqlite: bool) -> bool:
    """Make ``table``'s next id at least ``last + 1``; never lowers it. Whether it moved."""
    if not sqlite or last <= last_id(db, table, sqlite=sqlite):
        return False
    with db.atomic():
        moved = db.execute_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = ? AND seq < ?",
                               (last, table, last)).rowcount
        if not moved:
            db.execute_sql("INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS "
                           "(SELECT 1 FROM sqlite_sequence WHERE name = ?)", (table, last, table))
    return True
