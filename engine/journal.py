"""The journal port: an append-only, gap-free log of events, tagged ``(epoch, seq)``.

The engine appends through one writer (the store actor) and reads on replay;
``frontdesk.adapters.storage`` implements the port with peewee (SQLite in WAL mode by
default, PostgreSQL for a multi-node deployment); ``MemoryJournal`` below is
the in-process implementation for tests and the harness.

``seq`` is node-wide and gap-free inside the journal (it does not restart with
a new epoch); ``epoch`` is raised by each promotion. An append under an epoch
older than the journal's raises ``StaleEpoch``: that is the fence that keeps a
deposed primary from writing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from frontdesk.engine.errors import JournalDivergedError, JournalGapError, StaleEpoch


@dataclass(frozen=True)
class NewEvent:
    """An event to append. ``stream`` groups events: ``dialog:d-7``, ``operator:ann``, ``node``."""

    stream: str
    type: str
    version: int
    data: dict[str, Any]
    at: float
    # ``data`` as the journal stores it (``data_text``), when its maker encoded it already
    # (``made``: on the actor's thread, not the journal writer's); None: the journal does
    text: str | None = field(default=None, compare=False, repr=False)


def data_text(data: dict[str, Any]) -> str:
    """The stored JSON text of an event's data (raises ValueError/TypeError if not JSON)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def made(event: NewEvent) -> NewEvent:
    """``event`` with its ``text``, if its data is JSON (else as it is: the journal refuses it
    with the reason)."""
    try:
        text = data_text(event.data)
    except (TypeError, ValueError):
        return event
    return NewEvent(event.stream, event.type, event.version, event.data, event.at, text)


@dataclass(frozen=True)
class Record:
    """An appended event, as stored."""

    epoch: int
    seq: int
    stream: str
    type: str
    version: int
    data: dict[str, Any]
    at: float


class Journal(Protocol):
    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        """Append in one transaction (all or nothing), durable on return."""
        ...

    def append_records(self, records: Sequence[Record]) -> None:
        """Append records made elsewhere (replication), keeping their (epoch, seq)."""
        ...

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        """Records with seq > after_seq, in seq order, optionally of one stream."""
        ...

    def last(self) -> tuple[int, int]:
        """(epoch, seq) of the newest record; (0, 0) when empty."""
        ...

    def epoch(self) -> int:
        """The highest epoch this journal has seen (from records or ``raise_epoch``)."""
        ...

    def raise_epoch(self, epoch: int) -> None:
        """Record that ``epoch`` has begun; appends under older epochs are refused."""
        ...

    def close(self) -> None: ...


class MemoryJournal:
    """A journal in a list; durable for as long as the process lives."""

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._epoch = 1
        self._lock = threading.Lock()
        self.closed = False

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        with self._lock:
            if epoch < self._epoch:
                raise StaleEpoch(
                    f"cannot append under epoch {epoch}: the journal is at {self._epoch}"
                )
            self._epoch = epoch
            start = self._records[-1].seq if self._records else 0
            made = [
                Record(epoch, start + i + 1, e.stream, e.type, e.version, e.data, e.at)
                for i, e in enumerate(events)
            ]
            self._records.extend(made)
            return made

    def append_records(self, records: Sequence[Record]) -> None:
        with self._lock:
            for r in records:
                last = self._records[-1].seq if self._records else 0
                if 0 < r.seq <= last:
                    held = self._records[r.seq - 1]
                    if held != r:
                        raise JournalDivergedError(
                            f"replicated record seq {r.seq} (epoch {r.epoch}) differs from "
                            f"the one held (epoch {held.epoch})"
                        )
                    continue  # already held, identical: replication resent it
                if r.seq != last + 1:
                    raise JournalGapError(
                        f"replicated record seq {r.seq} does not follow the last seq {last}"
                    )
                self._records.append(r)
                self._epoch = max(self._epoch, r.epoch)

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        with self._lock:
            records = list(self._records[after_seq:]) if after_seq >= 0 else []
        for r in records:
            if r.seq > after_seq and (stream is None or r.stream == stream):
                yield r

    def epoch_runs(self) -> list[tuple[int, int, int]]:
        """``[(epoch, first seq, last seq), ...]`` in seq order."""
        runs: list[tuple[int, int, int]] = []
        with self._lock:
            for r in self._records:
                if runs and runs[-1][0] == r.epoch:
                    runs[-1] = (r.epoch, runs[-1][1], r.seq)
                else:
                    runs.append((r.epoch, r.seq, r.seq))
        return runs

    def last(self) -> tuple[int, int]:
        with self._lock:
            if not self._records:
                return (0, 0)
            r = self._records[-1]
            return (r.epoch, r.seq)

    def epoch(self) -> int:
        with self._lock:
            return self._epoch

    def raise_epoch(self, epoch: int) -> None:
        with self._lock:
            self._epoch = max(self._epoch, epoch)

    def truncate_after(self, seq: int) -> list[Record]:
        """Remove and return the records after ``seq`` (a deposed primary's unreplicated tail)."""
        with self._lock:
            cut = [r for r in self._records if r.seq > seq]
            self._records = [r for r in self._records if r.seq <= seq]
            return cut

    def close(self) -> None:
        self.closed = True
