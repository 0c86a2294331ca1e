"""Checking a journal: every record's checksum, gap-free seq, epochs in order.

A node runs this at start-up before it may become primary (issue 5): a torn or
corrupted tail is reported as the first bad seq, and the node repairs by
``truncate_after(report.last_good_seq)`` and catching up from its peer.

A start checks only the records appended since the last clean check (the journal
keeps the seq it reached: ``journal_verified``), so a restart costs the tail, not the
journal's size; the record at that seq is read again, so a journal cut or replaced
below it is not taken for the one that was checked. ``verify(full=True)`` checks
every record (``frontdesk verify-journal``, and after a repair).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from frontdesk.adapters.storage.models import RowTuple, record_crc
from frontdesk.engine.errors import JournalError


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify()`` found.

    ``records`` counts the records that checked out, all before the first
    problem; ``last_good_seq`` is the seq of the last of them (0 if none);
    ``first_bad_seq`` is the first seq that is damaged or missing, with
    ``problem`` saying how. A clean journal has ``ok`` true. ``checked_after``: the
    records up to it were found sound by an earlier check and not read again.
    """

    where: str
    records: int
    last_good_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None
    checked_after: int = 0

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    def __str__(self) -> str:
        if self.ok and self.checked_after:
            before = f"1..{self.checked_after} checked before"
            if not self.records:
                return f"{self.where}: no record since seq {self.checked_after}, clean ({before})"
            return (f"{self.where}: {self.records} records, seq {self.checked_after + 1}.."
                    f"{self.last_good_seq}, clean ({before})")
        if self.ok:
            return f"{self.where}: {self.records} records, seq 1..{self.last_good_seq}, clean"
        return (
            f"{self.where}: {self.records} good records up to seq {self.last_good_seq}; "
            f"seq {self.first_bad_seq}: {self.problem}"
        )


def walk(chunks: Iterable[list[RowTuple]], where: str, after: int = 0,
         prev_epoch: int = 0) -> VerifyReport:
    """Check rows ``(seq, epoch, stream, type, version, data, at, crc)`` given in seq order,
    from seq ``after + 1`` (the one before it of epoch ``prev_epoch``)."""
    count = 0
    expected = after + 1
    try:
        for rows in chunks:
            for row in rows:
                problem = _problem(row, expected, prev_epoch)
                if problem is not None:
                    return VerifyReport(where, count, expected - 1, expected, problem, after)
                count += 1
                expected = row[0] + 1
                prev_epoch = row[1]
    except JournalError as exc:  # a damaged file: sqlite reports a malformed image, etc.
        return VerifyReport(
            where, count, expected - 1, expected, f"the database cannot be read: {exc}", after
        )
    return VerifyReport(where, count, expected - 1, checked_after=after)


def _problem(row: RowTuple, expected: int, prev_epoch: int) -> str | None:
    seq, epoch, _, _, _, text, _, crc = row
    if seq != expected:
        return f"missing (the next stored record is seq {seq})"
    if record_crc(row) != crc:
        return f"checksum mismatch (crc {crc} stored, {record_crc(row)} computed)"
    if epoch < prev_epoch:
        return f"epoch {epoch} is older than the epoch {prev_epoch} before it"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return f"data is not JSON ({exc})"
    if not isinstance(data, dict):
        return "data is not a JSON object"
    return None
