"""The gallery's stream on the replication link: ``repl.gallery``, primary -> backup.

    primary -> backup   repl.gallery {item: {id, name, file_name, size, type, sha256,
                                             thumbnail, added_by, at},
                                      data: base64, thumb: base64}    an item, new or renamed
                        repl.gallery {keep: [item id, ...]}           the items there are now

Sent by ``FileLink.flush`` before the dialogs' files, at each wake of the primary's
stream loop once the gallery changed (``FileStore.gallery_changes``, bumped by every
change, so a wake with no change reads nothing): each item this link has not sent yet (or
sent under another name) goes with its bytes, then, when the set of items changed, the
whole set of ids, so the backup deletes the items a manager deleted. A new link sends the
whole gallery again (taking an item it has is a rename at most). The backup checks the
bytes against the item's SHA-256; a frame that does not match breaks the protocol and
ends the link.
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

from frontdesk.adapters.files import FileStore
from frontdesk.adapters.files.gallery import Gallery, GalleryItem
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.engine.errors import AdapterError

KIND = "repl.gallery"

log = logging.getLogger("frontdesk.replication")


class GalleryLink:
    def __init__(self, store: FileStore) -> None:
        self.gallery = Gallery(store)
        self._sent: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
        self._kept: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()
        self._seen: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.items_sent = 0
        self.items_taken = 0

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send what changed in the gallery since the last flush on ``channel``."""
        changes = self.gallery.files.gallery_changes
        if self._seen.get(channel) == changes:
            return  # nothing changed since the last flush: no read on the hot path
        sent = self._sent.setdefault(channel, {})
        try:
            items = await trio.to_thread.run_sync(self.gallery.every)
        except AdapterError as e:
            log.warning("cannot read the gallery to replicate it: %s", e)
            return
        for item in items:
            if sent.get(item.id) == item.name:
                continue
            try:
                data, thumb = await trio.to_thread.run_sync(self._bytes, item)
            except AdapterError as e:
                log.warning("cannot read gallery item %s to replicate it: %s", item.id, e)
                return
            await _send(channel, send_lock, {
                "type": KIND, "item": dataclasses.asdict(item),
                "data": base64.b64encode(data).decode("ascii"),
                "thumb": base64.b64encode(thumb).decode("ascii")})
            sent[item.id] = item.name
            self.items_sent += 1
        now = frozenset(item.id for item in items)
        if self._kept.get(channel) != now:  # the first flush on a link sends it too
            await _send(channel, send_lock, {"type": KIND, "keep": sorted(now)})
            self._kept[channel] = now
            for gone in set(sent) - now:
                del sent[gone]
        self._seen[channel] = changes

    def _bytes(self, item: GalleryItem) -> tuple[bytes, bytes]:
        blobs = self.gallery.files.blobs
        data = blobs.get(item.sha256)
        thumb = blobs.get(item.thumbnail) if item.thumbnail else b""
        if data is None or thumb is None:
            raise AdapterError(f"the bytes of gallery item {item.id} are not stored here")
        return data, thumb

    async def received(self, frame: dict[str, Any]) -> None:
        """Store an item the primary sent, or delete the items it no longer has."""
        keep = frame.get("keep")
        try:
            if keep is not None:
                if not isinstance(keep, list) or not all(isinstance(i, str) for i in keep):
                    raise ReplicationError(f"{KIND}: field 'keep' expected a list of ids")
                await trio.to_thread.run_sync(self.gallery.keep_only, set(keep))
                return
            item, data, thumb = item_from_wire(frame)
            await trio.to_thread.run_sync(self.gallery.accept, item, data, thumb)
        except AdapterError as e:
            log.warning("cannot store the replicated gallery: %s", e)
            return
        self.items_taken += 1


async def _send(channel: Channel, send_lock: trio.Lock | None, frame: dict[str, Any]) -> None:
    if send_lock is None:
        await channel.send(frame)
    else:
        async with send_lock:
            await channel.send(frame)


def item_from_wire(frame: dict[str, Any]) -> tuple[GalleryItem, bytes, bytes]:
    meta = frame.get("item")
    if not isinstance(meta, dict):
        raise ReplicationError(f"{KIND}: expected field 'item' (an object) or 'keep'")
    try:
        item = GalleryItem(**{k.name: meta[k.name] for k in dataclasses.fields(GalleryItem)})
        data = base64.b64decode(str(frame.get("data", "")), validate=True)
        thumb = base64.b64decode(str(frame.get("thumb", "")), validate=True)
    except (KeyError, TypeError, binascii.Error) as e:
        raise ReplicationError(f"{KIND}: expected an item's metadata and base64 bytes: {e}"
                               ) from None
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise ReplicationError(f"{KIND}: the bytes of item {item.id!r} do not match its sha256")
    if item.thumbnail and hashlib.sha256(thumb).hexdigest() != item.thumbnail:
        raise ReplicationError(f"{KIND}: the thumbnail of item {item.id!r} does not match")
    return item, data, thumb
