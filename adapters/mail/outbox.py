"""The outbox table: one row per mail, from queued to sent or failed.

A row is a work item the worker updates in place (attempts, next try, last error,
outcome), so it lives with the other mutable records in the accounts database
(``storage.accounts_url``), not in the append-only journal. ``reported`` is set once the
outcome has been handed to its sender's callback: an outcome reached just before a crash
is reported after the restart, and a row still queued is sent then.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import peewee

from frontdesk.adapters.mail.message import MailError
from frontdesk.adapters.storage.database import open_database, parse_database_url, translated

MailStatus = Literal["queued", "sent", "failed"]
TOUCHED_KEPT = 4096  # rows whose last change is remembered for the replication link


@dataclass(frozen=True)
class QueuedMail:
    id: int
    kind: str  # who queued it: "transcript", "offline", "dialog_link"
    subject_id: str  # what it is about (a dialog id), for the outcome's report
    to: str
    sender: str
    message: bytes
    status: MailStatus
    attempts: int
    next_at: float
    last_error: str
    created_at: float
    done_at: float | None
    reported: bool = False


class _MailTable(peewee.Model):
    id = peewee.AutoField()
    kind = peewee.CharField(max_length=32)
    subject_id = peewee.CharField(max_length=128, index=True)
    to_address = peewee.CharField(max_length=254)
    sender = peewee.CharField(max_length=254)
    message = peewee.TextField()
    status = peewee.CharField(max_length=8, default="queued", index=True)
    attempts = peewee.IntegerField(default=0)
    next_at = peewee.DoubleField()
    last_error = peewee.TextField(default="")
    created_at = peewee.DoubleField()
    done_at = peewee.DoubleField(null=True)
    reported = peewee.BooleanField(default=False)


class Outbox:
    """The outbox of one database (SQLite file or PostgreSQL). Thread-safe."""

    def __init__(self, url: str | Path) -> None:
        target = parse_database_url(url)
        self.where = target.describe()
        self._db = open_database(target, error=MailError)
        self._lock = threading.Lock()
        # what changed in this process, for the replication link (adapters/replication/
        # mail_link.py): bumped by every write, and the change number of each row touched
        self.changes = 0
        self._touched: OrderedDict[int, int] = OrderedDict()  # oldest change first
        self._forgotten = 0  # the newest change number no longer in _touched
        self._listeners: list[Callable[[], None]] = []
        self.shared = target.kind != "sqlite"  # a PostgreSQL outbox: both nodes see it
        db = self._db

        class Row(_MailTable):
            class Meta:
                database = db
                table_name = "mail_outbox"

        self._row = Row
        try:
            with self._sql("open the mail outbox"):
                db.create_tables([Row], safe=True)
        except MailError:
            db.tracker.close_all()
            raise

    @contextmanager
    def _sql(self, operation: str) -> Iterator[None]:
        with self._lock, translated(self.where, operation, MailError):
            yield

    def close(self) -> None:
        self._db.tracker.close_all()

    def enqueue(self, kind: str, subject_id: str, message: EmailMessage, *, sender: str,
                now: float) -> QueuedMail:
        to = str(message["To"])
        with self._sql(f"queue a {kind} mail to {to}"):
            row = self._row.create(
                kind=kind, subject_id=subject_id, to_address=to, sender=sender,
                message=message.as_bytes().decode("ascii", "surrogateescape"),
                next_at=now, created_at=now)
            self._touch(int(row.id))
        self._tell()
        return self._mail(row)

    def get(self, mail_id: int) -> QueuedMail | None:
        with self._sql(f"read mail {mail_id}"):
            row = self._row.get_or_none(self._row.id == mail_id)
        return None if row is None else self._mail(row)

    def of_subject(self, subject_id: str) -> list[QueuedMail]:
        with self._sql(f"list the mails of {subject_id}"):
            rows = list(self._row.select().where(self._row.subject_id == subject_id)
                        .order_by(self._row.id))
        return [self._mail(r) for r in rows]

    def due(self, now: float, limit: int = 32) -> list[QueuedMail]:
        """Queued mails whose next try is due, oldest first."""
        r = self._row
        with self._sql("read the due mails"):
            rows = list(r.select().where((r.status == "queued") & (r.next_at <= now))
                        .order_by(r.next_at, r.id).limit(limit))
        return [self._mail(x) for x in rows]

    def next_due_at(self) -> float | None:
        r = self._row
        with self._sql("read the next try"):
            return r.select(peewee.fn.MIN(r.next_at)).where(r.status == "queued").scalar()  # type: ignore[no-any-return]

    def unreported(self) -> list[QueuedMail]:
        r = self._row
        with self._sql("read the unreported outcomes"):
            rows = list(r.select().where((r.status != "queued") & ~r.reported).order_by(r.id))
        return [self._mail(x) for x in rows]

    def retry_at(self, mail_id: int, at: float, error: str) -> None:
        self._update(mail_id, "retry", attempts=self._row.attempts + 1, next_at=at,
                     last_error=error)

    def finish(self, mail_id: int, status: MailStatus, now: float, error: str = "") -> None:
        self._update(mail_id, status, status=status, attempts=self._row.attempts + 1,
                     done_at=now, last_error=error)

    def mark_reported(self, mail_id: int) -> None:
        self._update(mail_id, "report", reported=True)

    def _update(self, mail_id: int, what: str, **changes: object) -> None:
        r = self._row
        with self._sql(f"record the {what} of mail {mail_id}"):
            r.update(**changes).where(r.id == mail_id).execute()
            self._touch(mail_id)
        self._tell()

    def _touch(self, mail_id: int) -> None:  # under the lock
        self.changes += 1
        self._touched.pop(mail_id, None)
        self._touched[mail_id] = self.changes
        if len(self._touched) > TOUCHED_KEPT:  # bounded: the oldest change is forgotten
            _, self._forgotten = self._touched.popitem(last=False)

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the writing thread, must not block) after each change:
        the replication link's stream loop wakes, so a row crosses at once."""
        self._listeners.append(listener)

    def _tell(self) -> None:
        for listener in self._listeners:
            listener()

    # -- replication (adapters/replication/mail_link.py) ------------------------------

    def after(self, mail_id: int, limit: int) -> list[QueuedMail]:
        """Every row whose id is above ``mail_id``, by id: a new link sends them all."""
        r = self._row
        with self._sql("read the outbox to replicate it"):
            rows = list(r.select().where(r.id > mail_id).order_by(r.id).limit(limit))
        return [self._mail(x) for x in rows]

    def touched_since(self, change: int) -> list[int] | None:
        """The ids of the rows this process changed after change number ``change``, or
        ``None`` when some of those changes are no longer remembered (the last
        ``TOUCHED_KEPT`` rows changed are): the caller then reads the whole outbox again.
        Costs the number of rows changed since, not the outbox's size."""
        with self._lock:
            if change < self._forgotten:
                return None
            ids = []
            for mail_id in reversed(self._touched):
                if self._touched[mail_id] <= change:
                    break
                ids.append(mail_id)
            return sorted(ids)

    def put(self, mail: QueuedMail) -> None:
        """Store a row as the primary has it (insert, or overwrite the row of that id):
        the same frame applied twice leaves the same row."""
        r = self._row
        fields = dict(
            kind=mail.kind, subject_id=mail.subject_id, to_address=mail.to,
            sender=mail.sender, message=mail.message.decode("ascii", "surrogateescape"),
            status=mail.status, attempts=mail.attempts, next_at=mail.next_at,
            last_error=mail.last_error, created_at=mail.created_at, done_at=mail.done_at,
            reported=mail.reported)
        with self._sql(f"store replicated mail {mail.id}"), self._db.atomic():
            if r.update(**fields).where(r.id == mail.id).execute() == 0:
                r.insert(id=mail.id, **fields).execute()

    @staticmethod
    def _mail(row: _MailTable) -> QueuedMail:
        return QueuedMail(
            id=int(row.id), kind=str(row.kind), subject_id=str(row.subject_id),
            to=str(row.to_address), sender=str(row.sender),
            message=str(row.message).encode("ascii", "surrogateescape"),
            status=_status(str(row.status)), attempts=int(row.attempts), next_at=float(row.next_at),
            last_error=str(row.last_error), created_at=float(row.created_at),
            done_at=None if row.done_at is None else float(row.done_at),
            reported=bool(row.reported))


def _status(value: str) -> MailStatus:
    return {"sent": "sent", "failed": "failed"}.get(value, "queued")  # type: ignore[return-value]
