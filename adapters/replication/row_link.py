"""A table of rows with ids, streamed primary -> backup on the replication link: the
knowledge base's articles (``knowledge_link.py``) and the predefined answers
(``predefined_link.py``).

    primary -> backup   <kind> {<field>: {id, ...}}   a row, new or changed
                        <kind> {keep: [id, ...], last_id}   the rows there are now, and
                                                       the largest id the table ever gave

Sent before the journal's records at each wake of the primary's stream loop once the table
changed (its ``changes`` counter, bumped by every change, so a wake with no change reads
nothing), as the gallery's items are (``gallery_link.py``): each row this link has not sent
in its present form, then, when the set of rows changed, the whole set of ids, so the backup
deletes those deleted, and when that set or the table's id count moved, the count
(``last_id``, ``adapters/storage/id_count.py``; a table whose rows the primary never
deletes, the offline messages, has none): a row made and deleted between two flushes
never crosses, and without the count a promoted backup would give its id again. A new link
sends the whole table again. The backup checks each row
(``from_wire``) before it stores it; a frame that does not fit breaks the protocol
(``ReplicationError``) and ends the link; a store that fails is logged and the link goes on.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import trio

from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.storage.id_count import MAX_ID
from frontdesk.engine.errors import AdapterError

Row = TypeVar("Row")
Wire = dict[str, Any]

log = logging.getLogger("frontdesk.replication")


class RowLink(Generic[Row]):
    """One table's stream: ``kind`` its frames' type, ``field`` the key of a row in them,
    ``what`` the table in words for the log."""

    def __init__(
        self, kind: str, field: str, what: str, *,
        changes: Callable[[], int],
        read_all: Callable[[], Sequence[Row]],
        accept: Callable[[Row], object],
        keep_only: Callable[[set[int]], object],
        to_wire: Callable[[Row], Wire],
        from_wire: Callable[[Wire], Row],
        last_id: Callable[[], int] | None = None,
        raise_last_id: Callable[[int], object] | None = None,
    ) -> None:
        self.kind, self.field, self.what = kind, field, what
        self._changes, self._read_all = changes, read_all
        self._accept, self._keep_only = accept, keep_only
        self._last_id, self._raise_last_id = last_id, raise_last_id
        self._to_wire, self.from_wire = to_wire, from_wire
        self._sent: weakref.WeakKeyDictionary[Any, dict[int, str]] = weakref.WeakKeyDictionary()
        self._kept: weakref.WeakKeyDictionary[Any, tuple[frozenset[int], int]] = (
            weakref.WeakKeyDictionary())
        self._seen: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.rows_sent = 0
        self.rows_taken = 0

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send what changed in the table since the last flush on ``channel``."""
        changes = self._changes()
        if self._seen.get(channel) == changes:
            return  # nothing changed since the last flush: no read on the hot path
        sent = self._sent.setdefault(channel, {})
        try:
            rows, last = await trio.to_thread.run_sync(self._read)
        except AdapterError as e:
            log.warning("cannot read %s to replicate it: %s", self.what, e)
            return
        ids = set()
        for row in rows:
            wire = self._to_wire(row)
            ids.add(wire["id"])
            form = repr(sorted(wire.items()))
            if sent.get(wire["id"]) == form:
                continue
            await _send(channel, send_lock, {"type": self.kind, self.field: wire})
            sent[wire["id"]] = form
            self.rows_sent += 1
        now = (frozenset(ids), last)
        if self._kept.get(channel) != now:  # the first flush on a link sends it too
            keep: Wire = {"type": self.kind, "keep": sorted(ids)}
            if self._last_id is not None:
                keep["last_id"] = last
            await _send(channel, send_lock, keep)
            self._kept[channel] = now
            for gone in set(sent) - ids:
                del sent[gone]
        self._seen[channel] = changes

    def _read(self) -> tuple[Sequence[Row], int]:
        rows = self._read_all()
        # read after the rows: at least every id they hold
        return rows, 0 if self._last_id is None else self._last_id()

    async def received(self, frame: Wire) -> None:
        """Store a row the primary sent, or delete those it no longer has."""
        keep = frame.get("keep")
        if keep is not None:
            if not isinstance(keep, list) or not all(
                    isinstance(i, int) and not isinstance(i, bool) for i in keep):
                raise ReplicationError(f"{self.kind}: field 'keep' expected a list of ids")
            last = frame.get("last_id", 0)  # absent from a primary older than the field
            if not isinstance(last, int) or isinstance(last, bool) or not 0 <= last <= MAX_ID:
                raise ReplicationError(f"{self.kind}: field 'last_id' expected a whole number "
                                       f"from 0 to {MAX_ID}, got {last!r:.40}")
            await self._store(self._keep_only, set(keep))
            if self._raise_last_id is not None:
                await self._store(self._raise_last_id, last)
        else:
            await self._store(self._accept, self.from_wire(frame))
            self.rows_taken += 1

    async def _store(self, change: Callable[[Any], object], arg: Any) -> None:
        try:
            await trio.to_thread.run_sync(change, arg)
        except AdapterError as e:  # the backup's table failed
            log.warning("cannot store the replicated %s: %s", self.what, e)


def row_of(frame: Wire, kind: str, field: str) -> Wire:
    """The row object of ``frame`` (``from_wire``'s first check)."""
    meta = frame.get(field)
    if not isinstance(meta, dict):
        raise ReplicationError(f"{kind}: expected field '{field}' (an object) or 'keep'")
    return meta


def positive_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError(f"id: expected a positive whole number, got {value!r:.40}")
    return value


async def _send(channel: Channel, send_lock: trio.Lock | None, frame: Wire) -> None:
    if send_lock is None:
        await channel.send(frame)
    else:
        async with send_lock:
            await channel.send(frame)
