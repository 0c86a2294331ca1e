"""Which replicated records a journal does not hold yet: order, gaps, overlaps, epochs.

``SqlJournal.append_records`` keeps each replicated record's ``(epoch, seq)``.
Before writing it asks ``fresh_records``: a record already held identically is
skipped; a gap in the batch or after the journal's tail is refused
(``JournalGapError``); a held record that differs means the logs diverged
(``JournalDivergedError``: the caller truncates with ``truncate_after``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

from frontdesk.engine.errors import JournalDivergedError, JournalError, JournalGapError
from frontdesk.engine.journal import Record


def fresh_records(
    records: Sequence[Record],
    tail: tuple[int, int],
    read_range: Callable[[int, int], Iterator[Record]],
    where: str,
) -> list[Record]:
    """The records of ``records`` after ``tail`` (``(epoch, seq)``), checked.

    ``read_range(first, last)`` reads the held records in that seq range.
    """
    last_epoch, last_seq = tail
    for prev, cur in itertools.pairwise(records):
        if cur.seq != prev.seq + 1:
            raise JournalGapError(
                f"cannot append replicated records to {where}: seq {cur.seq} "
                f"follows {prev.seq} in the batch (expected {prev.seq + 1})"
            )
    overlap = [r for r in records if r.seq <= last_seq]
    if overlap:
        if overlap[0].seq < 1:
            raise JournalGapError(
                f"cannot append replicated record seq {overlap[0].seq} to {where}: "
                "expected seq >= 1"
            )
        held = {rec.seq: rec for rec in read_range(overlap[0].seq, overlap[-1].seq)}
        for r in overlap:
            mine = held.get(r.seq)
            if mine != Record(r.epoch, r.seq, r.stream, r.type, r.version, r.data, r.at):
                mine_epoch = "nothing" if mine is None else f"epoch {mine.epoch}"
                raise JournalDivergedError(
                    f"replicated record seq {r.seq} (epoch {r.epoch}) differs from the one "
                    f"{where} holds ({mine_epoch}): the logs diverged; "
                    f"truncate after seq {r.seq - 1} before appending"
                )
    fresh = [r for r in records if r.seq > last_seq]
    if fresh and fresh[0].seq != last_seq + 1:
        raise JournalGapError(
            f"cannot append replicated record seq {fresh[0].seq} to {where}: "
            f"the journal's last seq is {last_seq} (expected {last_seq + 1})"
        )
    prev_epoch = last_epoch
    for r in fresh:
        if r.epoch < prev_epoch:
            raise JournalError(
                f"cannot append replicated record seq {r.seq} to {where}: its epoch "
                f"{r.epoch} is older than the epoch {prev_epoch} of the record before it"
            )
        prev_epoch = r.epoch
    return fresh
