"""The journal's tables as peewee models, and the record checksum.

Two tables, the same on SQLite and PostgreSQL:

- ``event``: one row per journal record. ``seq`` is the primary key, assigned
  by the journal (gap-free, node-wide); ``data`` is the event's JSON text;
  ``crc`` is a CRC32 over every other column, so a record damaged on disk (a
  flipped byte, a torn tail) is detected when it is read or verified.
- ``node_meta``: one row (id 1): the highest epoch this journal has seen, the
  journal's random id, and the storage format version.
- ``journal_verified``: one row (id 1): the seq up to which ``verify()`` found every
  record sound, so that a start verifies only what was appended since (created on
  first use: a journal written before it existed simply verifies everything once).

Models are bound per journal (``bind_models``): two journals in one process
(two nodes of an in-process cluster) each get their own classes.
"""

from __future__ import annotations

import zlib

import peewee

from frontdesk.engine.journal import data_text

FORMAT_VERSION = 1


class EventRow(peewee.Model):
    seq = peewee.BigIntegerField(primary_key=True)
    epoch = peewee.BigIntegerField()
    stream = peewee.TextField()
    type = peewee.TextField()
    version = peewee.IntegerField()
    data = peewee.TextField()
    at = peewee.DoubleField()
    crc = peewee.BigIntegerField()

    class Meta:
        table_name = "event"
        indexes = ((("stream", "seq"), False),)


class NodeMetaRow(peewee.Model):
    id = peewee.IntegerField(primary_key=True)
    epoch = peewee.BigIntegerField()
    node_id = peewee.TextField()
    format_version = peewee.IntegerField()
    created_at = peewee.DoubleField()

    class Meta:
        table_name = "node_meta"


class VerifiedRow(peewee.Model):
    id = peewee.IntegerField(primary_key=True)
    seq = peewee.BigIntegerField()
    at = peewee.DoubleField()

    class Meta:
        table_name = "journal_verified"


def bind_verified(db: peewee.Database) -> type[VerifiedRow]:
    class Verified(VerifiedRow):
        class Meta:
            database = db
            table_name = "journal_verified"

    return Verified


def bind_models(db: peewee.Database) -> tuple[type[EventRow], type[NodeMetaRow]]:
    """Subclasses of the two models bound to ``db`` (and to nothing else)."""

    class Event(EventRow):
        class Meta:
            database = db
            table_name = "event"

    class NodeMeta(NodeMetaRow):
        class Meta:
            database = db
            table_name = "node_meta"

    return Event, NodeMeta


encode_data = data_text  # the stored JSON text of an event's data (the port defines it)


RowTuple = tuple[int, int, str, str, int, str, float, int]
"""A stored row: (seq, epoch, stream, type, version, data text, at, crc)."""


def record_crc(row: RowTuple) -> int:
    """CRC32 over a row's columns but ``crc`` (``at`` as the shortest exact float repr)."""
    seq, epoch, stream, type_, version, data_text, at, _ = row
    payload = "\x1f".join(
        (str(epoch), str(seq), stream, type_, str(version), data_text, repr(float(at)))
    )
    return zlib.crc32(payload.encode("utf-8"))
