"""``SqlJournal``: the engine's ``Journal`` port on peewee (an SQLite file or PostgreSQL).

Theory of operation
-------------------
One process writes a journal (the store actor); any thread may read it. Writes
(``append``, ``append_records``, ``raise_epoch``, ``truncate_after``) take
``self._write_lock`` and run in one transaction each, so they are all or
nothing; on SQLite with ``synchronous=full`` the commit is fsynced before the
call returns, which is what "durable on return" means (``normal`` survives a
process crash but not a power cut). The tail ``(epoch, seq)`` and the epoch
are cached in memory, replaced atomically after each commit, so ``last()`` and
``epoch()`` never wait for a write's fsync.

Reads page through the table by key (``seq > cursor ORDER BY seq LIMIT n``):
no cursor stays open between chunks, a read uses the calling thread's
connection, and a journal of any size is streamed, not loaded.

Fencing: ``append`` under an epoch older than the journal's raises
``StaleEpoch``. ``append_records`` (replication) keeps each record's
``(epoch, seq)``; it skips a record it already holds identically, and refuses
a gap (``JournalGapError``) or a stored record that differs (``JournalDivergedError``:
the logs diverged; the caller truncates with ``truncate_after``).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import peewee

from frontdesk.adapters.storage import codec, salvage
from frontdesk.adapters.storage.availability import Availability
from frontdesk.adapters.storage.database import (
    SqliteSynchronous,
    TrackedSqliteDatabase,
    open_database,
    parse_database_url,
    translated,
)
from frontdesk.adapters.storage.models import (
    FORMAT_VERSION,
    RowTuple,
    bind_models,
    bind_verified,
    record_crc,
)
from frontdesk.adapters.storage.replicated import fresh_records
from frontdesk.adapters.storage.verify import VerifyReport, walk
from frontdesk.engine.errors import JournalError, JournalUnavailable, StaleEpoch
from frontdesk.engine.journal import NewEvent, Record

if TYPE_CHECKING:
    from frontdesk.config.settings import StorageSettings

log = logging.getLogger("frontdesk.storage")


class SqlJournal:
    """The journal in an SQL database through peewee. See the module docstring."""

    def __init__(
        self,
        url: str | Path,
        *,
        synchronous: SqliteSynchronous = "full",
        busy_timeout_ms: int = 5000,
        chunk_size: int = 512,
    ) -> None:
        self._target = parse_database_url(url)
        self.where = self._target.describe()
        self.synchronous = synchronous
        self._chunk = max(1, chunk_size)
        self._db = open_database(
            self._target, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms
        )
        self._event, self._meta = bind_models(self._db)
        self._verified = bind_verified(self._db)
        placeholders = [tuple(0 for _ in self._columns())]
        insert = self._event.insert_many(placeholders, fields=list(self._columns()))
        self._insert_sql: str = insert.as_rowcount().sql()[0]
        self._write_lock = threading.Lock()
        self.availability = Availability(self.where)  # outages and the backoff of writes
        self._closed = False
        self._tail: tuple[int, int] = (0, 0)  # (epoch, seq) of the newest record
        self._epoch: int = 1
        try:
            with translated(self.where, "open the journal"):
                self._db.create_tables([self._event, self._meta], safe=True)
                with self._db.atomic():
                    meta = self._meta.get_or_none(self._meta.id == 1)
                    if meta is None:
                        meta = self._meta.create(
                            id=1,
                            epoch=1,
                            node_id=uuid.uuid4().hex,
                            format_version=FORMAT_VERSION,
                            created_at=time.time(),
                        )
            if meta.format_version > FORMAT_VERSION:
                raise JournalError(
                    f"cannot open the journal {self.where}: expected storage format "
                    f"<= {FORMAT_VERSION}, got {meta.format_version} (written by a newer frontdesk)"
                )
            self.node_id: str = meta.node_id
            self._load_tail()
        except BaseException:
            self._db.tracker.close_all()
            raise

    @classmethod
    def from_settings(cls, storage: StorageSettings) -> SqlJournal:
        """The journal named by ``config``'s storage settings."""
        return cls(
            storage.journal_url(),
            synchronous=storage.sqlite_synchronous,
            busy_timeout_ms=storage.sqlite_busy_timeout_ms,
        )

    # -- the Journal port ---------------------------------------------------

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        with self._write_lock:
            self._check_open("append")
            if epoch < self._epoch:
                raise StaleEpoch(
                    f"cannot append under epoch {epoch}: the journal {self.where} "
                    f"is at epoch {self._epoch}"
                )
            start = self._tail[1]
            records: list[Record] = []
            rows: list[RowTuple] = []
            for i, event in enumerate(events):
                record, row = codec.encode(event, epoch, start + i + 1, self.where)
                records.append(record)
                rows.append(row)
            with self._writing("append"), self._db.atomic():
                self._insert(rows)
                if epoch > self._epoch:
                    self._store_epoch(epoch)
            self._epoch = max(self._epoch, epoch)
            if records:
                self._tail = (epoch, records[-1].seq)
            return records

    def append_records(self, records: Sequence[Record]) -> None:
        with self._write_lock:
            self._check_open("append replicated records")
            fresh = self._fresh_records(records)
            if not fresh:
                return
            rows = [codec.row_of(r, self.where) for r in fresh]
            top = max(r.epoch for r in fresh)
            with self._writing("append replicated records"), self._db.atomic():
                self._insert(rows)
                if top > self._epoch:
                    self._store_epoch(top)
            self._epoch = max(self._epoch, top)
            self._tail = (fresh[-1].epoch, fresh[-1].seq)

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        cursor = after_seq
        while True:
            self._check_open("read")
            rows = self._chunk_rows(cursor, stream)
            for row in rows:
                yield codec.decode(row, self.where)
            if len(rows) < self._chunk:
                return
            cursor = rows[-1][0]

    def last(self) -> tuple[int, int]:
        return self._tail

    def epoch(self) -> int:
        return self._epoch

    def raise_epoch(self, epoch: int) -> None:
        with self._write_lock:
            self._check_open("raise the epoch")
            if epoch <= self._epoch:
                return
            with self._writing("raise the epoch"), self._db.atomic():
                self._store_epoch(epoch)
            self._epoch = epoch

    def probe(self) -> bool:
        """One write attempt now, even during an outage (a transaction that changes
        nothing): whether it succeeded. ``availability.keep_writable`` calls it."""
        with self._write_lock:
            if self._closed:
                return False
            try:
                with self._writing("probe the journal", gate=False), self._db.atomic():
                    meta = self._meta
                    meta.update(epoch=meta.epoch).where(meta.id == 1).execute()
                self._load_tail()  # a commit whose answer was lost may have landed
            except JournalError:
                return False
            return True

    def close(self) -> None:
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            # a transaction open on this thread makes close() refuse: close_all ends it
            with contextlib.suppress(peewee.PeeweeException):
                self._db.close()
            self._db.tracker.close_all()

    # -- failover: verification and truncation ------------------------------

    def verify(self, full: bool = False) -> VerifyReport:
        """Walk the records: checksum, gap-free seq, epochs never going back.

        Only those after the seq a clean check last reached (``journal_verified``), unless
        ``full``; the seq reached is stored when the walk is clean (verify.py)."""
        self._check_open("verify")
        after, epoch = (0, 0) if full else self._verified_mark()
        report = walk(self._raw_chunks(after), self.where, after, epoch)
        if report.ok and report.last_good_seq != after:
            try:
                self._set_verified(report.last_good_seq)
            except JournalError as exc:  # the next start checks these records again
                log.warning("cannot record that %s was checked: %s", self.where, exc)
        return report

    def epoch_runs(self) -> list[tuple[int, int, int]]:
        """``[(epoch, first seq, last seq), ...]`` in seq order, computed by the database
        (one grouped scan, no record decoded): epochs never go back along seq."""
        self._check_open("read the epoch runs")
        ev = self._event
        with translated(self.where, "read the epoch runs"):
            first, last = peewee.fn.MIN(ev.seq), peewee.fn.MAX(ev.seq)
            query = ev.select(ev.epoch, first, last).group_by(ev.epoch).order_by(first)
            rows = cast("Iterable[tuple[int, int, int]]", query.tuples())
            return [(int(e), int(a), int(b)) for e, a, b in rows]

    def _verified_mark(self) -> tuple[int, int]:
        """``(seq, its epoch)`` a clean check reached, if the record there is still the one
        that was checked (its checksum holds); ``(0, 0)`` otherwise: check everything."""
        verified, ev = self._verified, self._event
        try:
            with translated(self.where, "read the verified seq"):
                self._db.create_tables([verified], safe=True)  # a rebuilt or older file lacks it
                mark = verified.get_or_none(verified.id == 1)
                if mark is None or mark.seq <= 0:
                    return 0, 0
                row = ev.select(*self._columns()).where(ev.seq == mark.seq).tuples().first()
        except JournalError:  # damaged where the mark is: the whole walk says where
            return 0, 0
        if row is None or record_crc(cast("RowTuple", row)) != row[-1]:
            return 0, 0
        return int(mark.seq), int(row[1])

    def _set_verified(self, seq: int) -> None:
        verified = self._verified
        with self._write_lock, self._writing("record the verified seq", gate=False,
                                             track=False), self._db.atomic():
            self._db.create_tables([verified], safe=True)
            done = verified.update(seq=seq, at=time.time()).where(verified.id == 1).execute()
            if not done:
                verified.insert(id=1, seq=seq, at=time.time()).execute()

    def truncate_after(self, seq: int) -> list[Record]:
        """Remove the records after ``seq`` and return them, oldest first.

        A record whose data no longer decodes is returned with
        ``data={"corrupt_data": <the stored text>}`` rather than refused:
        discarding a damaged tail is what this is for.
        """
        if seq < 0:
            raise JournalError(f"cannot truncate {self.where} after seq {seq}: expected seq >= 0")
        with self._write_lock:
            self._check_open("truncate")
            try:
                with self._writing("truncate", gate=False, track=False), self._db.atomic():
                    ev = self._event
                    query = ev.select(*self._columns()).where(ev.seq > seq).order_by(ev.seq)
                    rows = list(cast("Iterable[RowTuple]", query.tuples()))
                    ev.delete().where(ev.seq > seq).execute()
                    if self._db.table_exists(self._verified._meta.table_name):
                        mark = self._verified
                        mark.update(seq=seq).where(mark.seq > seq).execute()
            except JournalError as exc:
                if self._target.path is None or not salvage.is_damage(str(exc)):
                    raise
                rows = self._rebuild_file(seq, exc)
            self._load_tail()
            return [codec.decode(row, self.where, lenient=True) for row in rows]

    def _rebuild_file(self, seq: int, exc: JournalError) -> list[RowTuple]:
        """The file is too damaged to delete from: write a new one up to ``seq`` (salvage.py)."""
        path = self._target.path
        assert path is not None
        with contextlib.suppress(peewee.PeeweeException):
            self._db.close()
        self._db.tracker.close_all()
        try:
            saved = salvage.rebuild(path, seq)
        except (OSError, sqlite3.Error) as err:
            raise JournalError(
                f"cannot cut the damaged tail of {self.where} after seq {seq} ({exc}): "
                f"rebuilding the file failed: {err}; restore the data directory from a "
                "backup or start this node with an empty one"
            ) from None
        log.warning(
            "%s was damaged (%s): kept seq 1..%d in a rebuilt file, the damaged file is %s",
            self.where, exc, saved.kept, saved.damaged_copy,
        )
        return saved.discarded


    def pragma(self, name: str) -> object:
        """An SQLite pragma as this thread's connection sees it (diagnostics and tests)."""
        db = self._db
        if not isinstance(db, TrackedSqliteDatabase):
            raise JournalError(f"cannot read pragma {name!r}: {self.where} is not SQLite")
        self._check_open("read a pragma")
        with translated(self.where, f"read pragma {name}"):
            return cast("object", db.pragma(name))

    def __enter__(self) -> SqlJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"epoch={self._epoch} last={self._tail}"
        return f"<SqlJournal {self.where} {state}>"

    # -- internals ------------------------------------------------------------

    def _check_open(self, operation: str) -> None:
        if self._closed:
            raise JournalError(f"cannot {operation}: the journal {self.where} is closed")

    @contextmanager
    def _writing(self, operation: str, *, gate: bool = True, track: bool = True
                 ) -> Iterator[None]:
        """``translated`` for a write; on failure the cached tail is reloaded from disk.

        ``gate``: refused at once during an outage until an attempt is due; ``track``:
        its failure or success starts or ends an outage (``availability.py``)."""
        if gate:
            self.availability.check(operation)
        try:
            with translated(self.where, operation):
                yield
        except JournalUnavailable:
            raise
        except JournalError as exc:
            if track and not isinstance(exc, StaleEpoch):
                self.availability.failed(str(exc))
            self._reload_after_failure()
            raise
        except BaseException:
            self._reload_after_failure()
            raise
        if track:
            self.availability.succeeded()

    def _reload_after_failure(self) -> None:
        with contextlib.suppress(JournalError):  # the original error is the one to report
            self._load_tail()

    def _load_tail(self) -> None:
        with translated(self.where, "read the journal tail"):
            ev = self._event
            top = ev.select(ev.epoch, ev.seq).order_by(ev.seq.desc()).limit(1).tuples().first()
            meta = self._meta.get(self._meta.id == 1)
        self._tail = (int(top[0]), int(top[1])) if top else (0, 0)
        self._epoch = max(int(meta.epoch), self._tail[0])

    def _store_epoch(self, epoch: int) -> None:
        self._meta.update(epoch=epoch).where(self._meta.id == 1).execute()

    def _insert(self, rows: list[RowTuple]) -> None:
        """Insert rows in the order of ``_columns()``, inside the caller's transaction.

        peewee builds the statement once (``__init__``); building it per call
        cost more than the commit itself (measured: ~2 ms for 100 rows).
        """
        cursor = self._db.cursor()  # type: ignore[no-untyped-call]
        if len(rows) == 1:
            cursor.execute(self._insert_sql, rows[0])
        elif rows:
            cursor.executemany(self._insert_sql, rows)

    def _columns(self) -> tuple[Any, ...]:
        ev = self._event
        return (ev.seq, ev.epoch, ev.stream, ev.type, ev.version, ev.data, ev.at, ev.crc)

    def _chunk_rows(self, cursor: int, stream: str | None) -> list[RowTuple]:
        ev = self._event
        with translated(self.where, f"read after seq {cursor}"):
            query = ev.select(*self._columns()).where(ev.seq > cursor)
            if stream is not None:
                query = query.where(ev.stream == stream)
            return list(
                cast("Iterable[RowTuple]", query.order_by(ev.seq).limit(self._chunk).tuples())
            )

    def _raw_chunks(self, cursor: int = 0) -> Iterator[list[RowTuple]]:
        while True:
            rows = self._chunk_rows(cursor, None)
            yield rows
            if len(rows) < self._chunk:
                return
            cursor = rows[-1][0]

    def _fresh_records(self, records: Sequence[Record]) -> list[Record]:
        """The records not yet held, after checking order, gaps and overlaps."""
        return fresh_records(records, self._tail, self._read_range, self.where)

    def _read_range(self, first: int, last: int) -> Iterator[Record]:
        for record in self.read(first - 1):
            if record.seq > last:
                return
            yield record
