"""The files stream of the replication link: ``repl.file``, primary -> backup.

    primary -> backup   repl.file {file: {id, dialog, name, size, type, sha256, thumbnail,
                                          uploaded_by, at}, data: base64, thumb: base64}

The primary's stream loop calls ``flush`` at each wake, after it read the next batch of
records and before it sends it: every file recorded since the last one sent on this link
goes, oldest first. A file's row is written before its ``dialog.file`` event is submitted,
so the backup holds the file before it gets (and acknowledges) the entry naming it; in
synchronous mode an upload is thus answered only once the backup holds its bytes. A new
link starts from the beginning (the backup's store takes a file it has as a no-op), so a
backup that was away catches up. The backup checks each
file's bytes against its SHA-256 before storing them; a frame that does not match breaks
the protocol and ends the link.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import logging
import weakref
from typing import Any

import trio

from frontdesk.adapters.files import FileStore, StoredFile
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.gallery_link import GalleryLink
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.engine.errors import AdapterError

KIND = "repl.file"
PER_FLUSH = 4

log = logging.getLogger("frontdesk.replication")


class FileLink:
    def __init__(self, store: FileStore) -> None:
        self.store = store
        self._cursor: weakref.WeakKeyDictionary[Any, tuple[float, str]] = (
            weakref.WeakKeyDictionary())
        self.files_sent = 0
        self.files_taken = 0
        self.gallery = GalleryLink(store)  # the gallery's items go the same way

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send the gallery's changes, then every file recorded after the last one sent
        on ``channel``."""
        await self.gallery.flush(channel, send_lock)
        while await self._flush_some(channel, send_lock):
            pass

    async def _flush_some(self, channel: Channel, send_lock: trio.Lock | None) -> bool:
        """Send up to ``PER_FLUSH`` files; whether there may be more."""
        cursor = self._cursor.get(channel, (float("-inf"), ""))
        try:
            files = await trio.to_thread.run_sync(self.store.after, cursor, PER_FLUSH)
        except AdapterError as e:
            log.warning("cannot read the files to replicate them: %s", e)
            return False
        for f in files:
            try:
                data, thumb = await trio.to_thread.run_sync(self._bytes, f)
            except AdapterError as e:
                log.warning("cannot read file %s to replicate it: %s", f.id, e)
                return False
            frame = {"type": KIND, "file": dataclasses.asdict(f),
                     "data": base64.b64encode(data).decode("ascii"),
                     "thumb": base64.b64encode(thumb).decode("ascii")}
            if send_lock is None:
                await channel.send(frame)
            else:
                async with send_lock:
                    await channel.send(frame)
            self._cursor[channel] = (f.at, f.id)
            self.files_sent += 1
        return len(files) == PER_FLUSH

    def _bytes(self, f: StoredFile) -> tuple[bytes, bytes]:
        thumb = self.store.content(f, thumb=True) if f.thumbnail else b""
        return self.store.content(f), thumb

    async def received(self, frame: dict[str, Any]) -> None:
        """Store a file the primary sent (bytes checked against their hash)."""
        f, data, thumb = file_from_wire(frame)
        try:
            await trio.to_thread.run_sync(self.store.accept, f, data, thumb)
        except AdapterError as e:
            log.warning("cannot store replicated file %s: %s", f.id, e)
            return
        self.files_taken += 1


def file_from_wire(frame: dict[str, Any]) -> tuple[StoredFile, bytes, bytes]:
    meta = frame.get("file")
    if not isinstance(meta, dict):
        raise ReplicationError(f"{KIND}: field 'file' expected an object")
    try:
        f = StoredFile(**{k.name: meta[k.name] for k in dataclasses.fields(StoredFile)})
        data = base64.b64decode(str(frame.get("data", "")), validate=True)
        thumb = base64.b64decode(str(frame.get("thumb", "")), validate=True)
    except (KeyError, TypeError, binascii.Error) as e:
        raise ReplicationError(f"{KIND}: expected a file's metadata and base64 bytes: {e}"
                               ) from None
    if hashlib.sha256(data).hexdigest() != f.sha256:
        raise ReplicationError(f"{KIND}: the bytes of file {f.id!r} do not match its sha256")
    if f.thumbnail and hashlib.sha256(thumb).hexdigest() != f.thumbnail:
        raise ReplicationError(f"{KIND}: the thumbnail of file {f.id!r} does not match")
    return f, data, thumb
