"""Between the engine's records and the journal's rows: encoding, checksum, decoding.

``where`` (the journal's name) only goes into the error messages.
"""

from __future__ import annotations

import json

from frontdesk.adapters.storage.models import RowTuple, encode_data, record_crc
from frontdesk.engine.errors import CorruptRecordError, JournalError
from frontdesk.engine.journal import NewEvent, Record


def encode(event: NewEvent, epoch: int, seq: int, where: str) -> tuple[Record, RowTuple]:
    """The record ``event`` becomes at ``(epoch, seq)``, and its row (with its crc)."""
    try:
        text = event.text if event.text is not None else encode_data(event.data)
    except (TypeError, ValueError) as exc:
        raise JournalError(
            f"cannot append to {where}: the data of event {event.type!r} on stream "
            f"{event.stream!r} is not JSON ({exc})"
        ) from None
    at = float(event.at)
    record = Record(epoch, seq, event.stream, event.type, event.version, event.data, at)
    crc = record_crc((seq, epoch, event.stream, event.type, event.version, text, at, 0))
    return record, (seq, epoch, event.stream, event.type, event.version, text, at, crc)


def row_of(r: Record, where: str) -> RowTuple:
    """The row of a record made elsewhere (replication), keeping its ``(epoch, seq)``."""
    return encode(NewEvent(r.stream, r.type, r.version, r.data, r.at), r.epoch, r.seq, where)[1]


def decode(row: RowTuple, where: str, *, lenient: bool = False) -> Record:
    """The record of a stored row; ``CorruptRecordError`` if it fails its checks.

    ``lenient``: a record whose data no longer decodes comes back with
    ``data={"corrupt_data": <the stored text>}`` and a bad crc is let through
    (a damaged tail being discarded).
    """
    seq, epoch, stream, type_, version, text, at, crc = row
    computed = record_crc(row)
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        if not lenient:
            raise CorruptRecordError(
                f"record seq {seq} of {where} is corrupt: its data is not a JSON "
                f"object ({exc}); run verify() and repair from a peer"
            ) from None
        data = {"corrupt_data": text}
    if computed != crc and not lenient:
        raise CorruptRecordError(
            f"record seq {seq} of {where} is corrupt: crc {crc} stored, {computed} "
            "computed; run verify() and repair from a peer"
        )
    return Record(int(epoch), int(seq), stream, type_, int(version), data, float(at))
