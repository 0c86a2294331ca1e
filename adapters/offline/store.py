"""``OfflineMessages``: the offline messages' table (``offline_messages``) in the accounts
database, SQLite or PostgreSQL. Thread-safe; callers on trio use ``trio.to_thread``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import peewee

from frontdesk.adapters.offline.messages import OfflineDraft, OfflineError, OfflineMessage
from frontdesk.adapters.storage.changes import Changes
from frontdesk.adapters.storage.database import open_database, parse_database_url, translated

LIST_LIMIT = 200  # the newest this many are listed


class _OfflineTable(peewee.Model):
    id = peewee.AutoField()
    name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254)
    message = peewee.TextField()
    created_at = peewee.DoubleField(index=True)
    handled_at = peewee.DoubleField(null=True)
    handled_by = peewee.CharField(max_length=128, default="")


class OfflineMessages(Changes):
    def __init__(self, url: str | Path, *, now: Callable[[], float] = time.time) -> None:
        target = parse_database_url(url)
        self.where = target.describe()
        self.shared = target.kind != "sqlite"  # on PostgreSQL the nodes of a cluster share it
        self._init_changes()  # the replication link reads only on a change (Changes)
        self._now = now
        self._db = open_database(target, error=OfflineError)
        self._lock = threading.Lock()
        db = self._db

        class Row(_OfflineTable):
            class Meta:
                database = db
                table_name = "offline_messages"

        self._row = Row
        try:
            with self._sql("open the offline messages"):
                db.create_tables([Row], safe=True)
        except OfflineError:
            db.tracker.close_all()
            raise

    @contextmanager
    def _sql(self, operation: str) -> Iterator[None]:
        with self._lock, translated(self.where, operation, OfflineError):
            yield

    def close(self) -> None:
        self._db.tracker.close_all()

    def add(self, draft: OfflineDraft) -> OfflineMessage:
        d = draft.checked()
        with self._sql(f"store an offline message from {d.email}"):
            row = self._row.create(name=d.name, email=d.email, message=d.message,
                                   created_at=self._now())
        self._changed()
        return _message(row)

    def get(self, message_id: int) -> OfflineMessage | None:
        with self._sql(f"read offline message {message_id}"):
            row = self._row.get_or_none(self._row.id == message_id)
        return None if row is None else _message(row)

    def listed(self, *, limit: int = LIST_LIMIT) -> list[OfflineMessage]:
        """The newest first: unhandled ones, then handled ones."""
        with self._sql("list the offline messages"):
            rows = list(self._row.select().order_by(
                self._row.handled_at.is_null(False), self._row.id.desc()).limit(limit))
        return [_message(r) for r in rows]

    def mark_handled(self, message_id: int, by: str) -> OfflineMessage | None:
        """The message handled by ``by`` (kept as first marked); None if there is none."""
        with self._sql(f"mark offline message {message_id} handled"):
            self._row.update(handled_at=self._now(), handled_by=by).where(
                (self._row.id == message_id) & self._row.handled_at.is_null()).execute()
            row = self._row.get_or_none(self._row.id == message_id)
        self._changed()
        return None if row is None else _message(row)

    # -- a backup's copy (adapters/replication/offline_link.py) ----------------

    def every(self) -> list[OfflineMessage]:
        """Every message, by id (what the replication link sends)."""
        with self._sql("read the offline messages"):
            rows = list(self._row.select().order_by(self._row.id))
        return [_message(r) for r in rows]

    def accept(self, message: OfflineMessage) -> None:
        """Store ``message`` as the primary has it: its id, times and who handled it."""
        d = OfflineDraft(message.name, message.email, message.message).checked()
        with self._sql(f"store replicated offline message {message.id}"), self._db.atomic():
            self._row.delete().where(self._row.id == message.id).execute()
            self._row.insert(id=message.id, name=d.name, email=d.email, message=d.message,
                             created_at=message.created_at, handled_at=message.handled_at,
                             handled_by=message.handled_by).execute()
        self._changed()

    def keep_only(self, ids: set[int]) -> int:
        """Delete every message whose id is not in ``ids``; how many went."""
        with self._sql("delete offline messages the primary does not have"):
            gone = self._row.delete().where(self._row.id.not_in(sorted(ids))).execute()
        if gone:
            self._changed()
        return int(gone)


def _message(row: _OfflineTable) -> OfflineMessage:
    return OfflineMessage(int(row.id), str(row.name), str(row.email), str(row.message),
                          float(row.created_at),
                          None if row.handled_at is None else float(row.handled_at),
                          str(row.handled_by))
