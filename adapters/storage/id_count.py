"""The id count of an SQLite table keyed ``INTEGER PRIMARY KEY AUTOINCREMENT``.

SQLite keeps, in ``sqlite_sequence``, the largest id a table ever held, and gives each new
row the next one: an id is never given twice, even after its row is deleted. A backup's
copy of such a table (``adapters/replication/row_link.py``) holds only the rows it was
sent, so its count can lag the primary's; the link carries the primary's count and the
backup raises its own to it. On PostgreSQL the nodes share the table and its sequence:
there is no count to carry (``last_id`` is 0, ``raise_to`` changes nothing).

``CountedIds``, mixed into such a table's store, gives the link the two calls it needs.
"""

from __future__ import annotations

from typing import ClassVar

from frontdesk.adapters.storage.database import TrackedDatabase, translated
from frontdesk.engine.errors import FrontdeskError

MAX_ID = 2**63 - 1  # the largest id: SQLite's rowid, PostgreSQL's bigint


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


class CountedIds:
    """Mixed into a store: ``_id_table`` its table, ``_id_error`` the error it raises; the
    store sets ``_db``, ``_where`` (its name in messages) and ``_pg``."""

    _id_table: ClassVar[str]
    _id_error: ClassVar[type[FrontdeskError]]
    _db: TrackedDatabase
    _where: str
    _pg: bool

    def last_id(self) -> int:
        """The largest id the table ever gave (what the link carries; 0 on PostgreSQL)."""
        with translated(self._where, "read the id count", self._id_error):
            return last_id(self._db, self._id_table, sqlite=not self._pg)

    def raise_last_id(self, last: int) -> None:
        """Never give an id up to ``last``: the primary gave it."""
        with translated(self._where, "raise the id count", self._id_error):
            raise_to(self._db, self._id_table, last, sqlite=not self._pg)
