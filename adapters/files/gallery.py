"""The gallery: a media library managers fill (upload, name, delete) and operators send from.

An item is bytes in the same content-addressed ``BlobStore`` as dialogs' files (sniffed
against the same allowlist, an image with its thumbnail) and one row of ``gallery_items``
in the accounts database. Sending an item into a dialog records a dialog file that points
at the same bytes (``FileStore.record``), so deleting the item later leaves the dialogs'
copies whole.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import peewee

from frontdesk.adapters.files.errors import FileRefused
from frontdesk.adapters.files.names import safe_name
from frontdesk.adapters.files.sniff import INLINE, allowed_type
from frontdesk.adapters.files.store import FileStore, StoredFile
from frontdesk.adapters.files.thumbnail import thumbnail
from frontdesk.adapters.storage.database import translated
from frontdesk.engine.errors import AdapterError

MAX_ITEMS_LISTED = 200


@dataclass(frozen=True)
class GalleryItem:
    id: str
    name: str
    file_name: str
    size: int
    type: str
    sha256: str
    thumbnail: str
    added_by: str
    at: float


class _ItemTable(peewee.Model):
    id = peewee.CharField(max_length=32, primary_key=True)
    name = peewee.CharField(max_length=255, index=True)
    file_name = peewee.CharField(max_length=255)
    size = peewee.BigIntegerField()
    type = peewee.CharField(max_length=128)
    sha256 = peewee.CharField(max_length=64)
    thumbnail = peewee.CharField(max_length=64, default="")
    added_by = peewee.CharField(max_length=128)
    at = peewee.DoubleField()


class Gallery:
    """Shares ``files``' database, blobs and limits. Thread-safe."""

    def __init__(self, files: FileStore) -> None:
        self.files = files
        self._lock = threading.Lock()
        db = files._db

        class Row(_ItemTable):
            class Meta:
                database = db
                table_name = "gallery_items"

        self._row = Row
        with self._sql("open the gallery"):
            db.create_tables([Row], safe=True)

    @contextmanager
    def _sql(self, operation: str) -> Iterator[None]:
        with self._lock, translated(self.files.where, operation, AdapterError):
            yield

    @contextmanager
    def _change(self, operation: str) -> Iterator[None]:
        try:
            with self._sql(operation):
                yield
        finally:
            self.files.gallery_changes += 1

    def add(self, name: str, file_name: str, data: bytes, added_by: str, now: float
            ) -> GalleryItem:
        self.files.check_size(len(data))
        if not data:
            raise FileRefused(400, "empty_file", "expected a file with content, got 0 bytes")
        kind = allowed_type(data)
        thumb = thumbnail(data, self.files.limits.max_image_pixels) if kind in INLINE else b""
        digest = self.files.blobs.put(data)
        item = GalleryItem(id=secrets.token_hex(16), name=check_name(name or file_name),
                           file_name=safe_name(file_name), size=len(data), type=kind,
                           sha256=digest, thumbnail=self.files.blobs.put(thumb) if thumb else "",
                           added_by=added_by, at=now)
        with self._change(f"add gallery item {item.name!r}"):
            self._row.create(**item.__dict__)
        return item

    def get(self, item_id: str) -> GalleryItem | None:
        with self._sql(f"read gallery item {item_id[:40]}"):
            row = self._row.get_or_none(self._row.id == item_id[:40])
        return None if row is None else _item(row)

    def search(self, query: str = "") -> list[GalleryItem]:
        r = self._row
        with self._sql("list the gallery"):
            q = r.select()
            for word in query.split()[:8]:
                q = q.where(peewee.fn.LOWER(r.name).contains(word.lower()))
            rows = list(q.order_by(r.name, r.id).limit(MAX_ITEMS_LISTED))
        return [_item(x) for x in rows]

    def every(self) -> list[GalleryItem]:
        """All items, oldest first (what replication sends)."""
        r = self._row
        with self._sql("read the gallery to replicate it"):
            rows = list(r.select().order_by(r.at, r.id))
        return [_item(x) for x in rows]

    def accept(self, item: GalleryItem, data: bytes, thumb: bytes) -> None:
        """An item replicated from the primary (bytes checked): stored, or renamed if known."""
        self.files.blobs.put(data)
        if thumb:
            self.files.blobs.put(thumb)
        with self._change(f"store replicated gallery item {item.id[:40]}"):
            if self._row.get_or_none(self._row.id == item.id) is None:
                self._row.create(**item.__dict__)
            else:
                self._row.update(name=item.name).where(self._row.id == item.id).execute()

    def keep_only(self, ids: set[str]) -> None:
        """Delete every item not in ``ids`` (the primary deleted them)."""
        with self._change("delete replicated gallery deletions"):
            self._row.delete().where(self._row.id.not_in(list(ids))).execute()

    def rename(self, item_id: str, name: str) -> GalleryItem:
        checked = check_name(name)
        with self._change(f"rename gallery item {item_id[:40]}"):
            done = self._row.update(name=checked).where(self._row.id == item_id[:40]).execute()
        item = self.get(item_id) if done else None
        if item is None:
            raise FileRefused(404, "unknown_item", f"expected a gallery item id, got "
                              f"{item_id[:40]!r}")
        return item

    def delete(self, item_id: str) -> None:
        with self._change(f"delete gallery item {item_id[:40]}"):
            done = self._row.delete().where(self._row.id == item_id[:40]).execute()
        if not done:
            raise FileRefused(404, "unknown_item", f"expected a gallery item id, got "
                              f"{item_id[:40]!r}")

    def send(self, item: GalleryItem, dialog: str, by: str, now: float) -> StoredFile:
        """A dialog file of ``item``'s bytes (the dialog's count limit applies)."""
        self.files.check_count(dialog)
        f = StoredFile(id=secrets.token_hex(16), dialog=dialog, name=item.file_name,
                       size=item.size, type=item.type, sha256=item.sha256,
                       thumbnail=item.thumbnail, uploaded_by=by, at=now)
        self.files.record(f)
        return f


def check_name(name: str) -> str:
    cleaned = " ".join("".join(ch for ch in name if ch.isprintable()).split())
    if not cleaned or len(cleaned) > 120:
        raise FileRefused(400, "bad_name", f"name: expected 1 to 120 printable characters, "
                          f"got {len(cleaned)}")
    return cleaned


def _item(row: _ItemTable) -> GalleryItem:
    return GalleryItem(id=str(row.id), name=str(row.name), file_name=str(row.file_name),
                       size=int(row.size), type=str(row.type), sha256=str(row.sha256),
                       thumbnail=str(row.thumbnail), added_by=str(row.added_by),
                       at=float(row.at))
