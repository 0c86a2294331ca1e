"""The file store: bytes in a ``BlobStore``, one metadata row per upload through peewee.

``FileStore.put`` applies the limits of ``[files]`` (size, count per dialog), decides the
type by sniffing, makes the thumbnail of an image and records the row; anything refused
raises ``FileRefused`` before a byte is stored. The rows live in the accounts database
(``storage.accounts_url``: SQLite or PostgreSQL), beside the other mutable records.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import peewee

from frontdesk.adapters.files.blobs import BlobStore
from frontdesk.adapters.files.errors import FileRefused
from frontdesk.adapters.files.limits import FileLimits
from frontdesk.adapters.files.names import safe_name
from frontdesk.adapters.files.sniff import INLINE, allowed_type
from frontdesk.adapters.files.thumbnail import thumbnail
from frontdesk.adapters.storage.database import open_database, parse_database_url, translated
from frontdesk.engine.errors import AdapterError


@dataclass(frozen=True)
class StoredFile:
    id: str  # unguessable, but never the only check: downloads check the dialog too
    dialog: str
    name: str  # already safe (``safe_name``)
    size: int
    type: str  # sniffed
    sha256: str
    thumbnail: str  # the thumbnail's digest, "" if none
    uploaded_by: str  # "visitor" or the account's login
    at: float

    @property
    def inline(self) -> bool:
        return self.type in INLINE


class _FileTable(peewee.Model):
    id = peewee.CharField(max_length=32, primary_key=True)
    dialog = peewee.CharField(max_length=64, index=True)
    name = peewee.CharField(max_length=255)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=128)
    sha256 = peewee.CharField(max_length=64)
    thumbnail = peewee.CharField(max_length=64, default="")
    uploaded_by = peewee.CharField(max_length=128)
    at = peewee.DoubleField()


class FileStore:
    """Thread-safe; ``blobs_dir`` is ``<data_dir>/files``."""

    def __init__(self, url: str | Path, blobs_dir: Path, limits: FileLimits) -> None:
        target = parse_database_url(url)
        self.where = target.describe()
        self.limits = limits
        self.blobs = BlobStore(blobs_dir)
        self._db = open_database(target, error=AdapterError)
        self._lock = threading.Lock()
        self.gallery_changes = 0  # bumped by each change of the gallery (replication's cue)
        db = self._db

        class Row(_FileTable):
            class Meta:
                database = db
                table_name = "dialog_files"

        self._row = Row
        try:
            with self._sql("open the file table"):
                db.create_tables([Row], safe=True)
        except AdapterError:
            db.tracker.close_all()
            raise

    @contextmanager
    def _sql(self, operation: str) -> Iterator[None]:
        with self._lock, translated(self.where, operation, AdapterError):
            yield

    def close(self) -> None:
        self._db.tracker.close_all()

    def check_size(self, size: int) -> None:
        if size > self.limits.max_bytes:
            raise FileRefused(413, "file_too_large",
                              f"expected a file of at most {self.limits.max_bytes} bytes, "
                              f"got {size}")

    def check_count(self, dialog: str) -> None:
        count = self.count(dialog)
        if count >= self.limits.max_per_dialog:
            raise FileRefused(429, "too_many_files",
                              f"expected at most {self.limits.max_per_dialog} files in dialog "
                              f"{dialog}, it has {count}")

    def put(self, dialog: str, name: str, data: bytes, uploaded_by: str, now: float
            ) -> StoredFile:
        self.check_size(len(data))
        if not data:
            raise FileRefused(400, "empty_file", "expected a file with content, got 0 bytes")
        kind = allowed_type(data)
        thumb = thumbnail(data, self.limits.max_image_pixels) if kind in INLINE else b""
        self.check_count(dialog)
        digest = self.blobs.put(data)
        thumb_digest = self.blobs.put(thumb) if thumb else ""
        stored = StoredFile(id=secrets.token_hex(16), dialog=dialog, name=safe_name(name),
                            size=len(data), type=kind, sha256=digest, thumbnail=thumb_digest,
                            uploaded_by=uploaded_by, at=now)
        self.record(stored)
        return stored

    def record(self, f: StoredFile) -> None:
        """Insert ``f``'s row (also the backup's side of replication); idempotent."""
        with self._sql(f"record file {f.id} of {f.dialog}"):
            if self._row.get_or_none(self._row.id == f.id) is None:
                self._row.create(id=f.id, dialog=f.dialog, name=f.name, size=f.size, type=f.type,
                                 sha256=f.sha256, thumbnail=f.thumbnail,
                                 uploaded_by=f.uploaded_by, at=f.at)

    def forget(self, file_id: str) -> None:
        """Drops the row of a file its dialog refused (closed meanwhile, or this node no longer
        primary), so that it neither counts against the dialog's limit nor replicates. Its bytes
        stay: blobs are content-addressed and may be shared with another file."""
        with self._sql(f"forget file {file_id}"):
            self._row.delete().where(self._row.id == file_id).execute()

    def accept(self, f: StoredFile, data: bytes, thumb: bytes) -> None:
        """A file replicated from the primary (its bytes already checked): stored as is."""
        self.blobs.put(data)
        if thumb:
            self.blobs.put(thumb)
        self.record(f)

    def after(self, cursor: tuple[float, str], limit: int) -> list[StoredFile]:
        """The files recorded after ``cursor`` (``(at, id)``), oldest first."""
        r = self._row
        at, file_id = cursor
        with self._sql("read the files to replicate"):
            rows = list(r.select().where((r.at > at) | ((r.at == at) & (r.id > file_id)))
                        .order_by(r.at, r.id).limit(limit))
        return [_file(x) for x in rows]

    def get(self, file_id: str) -> StoredFile | None:
        if len(file_id) > 32:
            return None
        with self._sql(f"read file {file_id}"):
            row = self._row.get_or_none(self._row.id == file_id)
        return None if row is None else _file(row)

    def of_dialog(self, dialog: str) -> list[StoredFile]:
        with self._sql(f"list the files of {dialog}"):
            rows = list(self._row.select().where(self._row.dialog == dialog)
                        .order_by(self._row.at, self._row.id))
        return [_file(r) for r in rows]

    def count(self, dialog: str) -> int:
        with self._sql(f"count the files of {dialog}"):
            return int(self._row.select().where(self._row.dialog == dialog).count())

    def content(self, f: StoredFile, *, thumb: bool = False) -> bytes:
        digest = f.thumbnail if thumb else f.sha256
        data = self.blobs.get(digest) if digest else None
        if data is None:
            what = "thumbnail" if thumb else "content"
            raise FileRefused(404, "file_missing", f"the {what} of file {f.id} is not stored on "
                              "this node")
        return data


def _file(row: _FileTable) -> StoredFile:
    return StoredFile(id=str(row.id), dialog=str(row.dialog), name=str(row.name),
                      size=int(row.size), type=str(row.type), sha256=str(row.sha256),
                      thumbnail=str(row.thumbnail), uploaded_by=str(row.uploaded_by),
                      at=float(row.at))
