"""The replication link's frames, and where two logs stop agreeing. No I/O.

The backup connects to the primary (``/ws/replication``) and speaks first:

    backup  -> primary  repl.hello    {node, url, secret, epoch, last_seq, runs}
    primary -> backup   repl.welcome  {node, epoch, from_seq, last_seq}
                     or repl.refused  {reason, epoch, primary_url}
    primary -> backup   repl.records  {records: [...]}         (in seq order, no gap)
    primary -> backup   repl.heartbeat {epoch, last_seq}        (every heartbeat_interval_s)
    primary -> backup   repl.handover {epoch, last_seq}         (switchover: take the role)
    backup  -> primary  repl.ack      {seq}                     (highest seq durable here)

``runs`` summarises the backup's log as ``[[epoch, first_seq, last_seq], ...]``.
Two logs that hold a record with the same ``(epoch, seq)`` agree on every
record up to it (one writer per epoch, and a writer appends after what it
has), so the common prefix is found from the runs alone (``common_prefix``):
``from_seq`` is where the logs stop agreeing; the backup discards whatever it
holds after it (an old primary's unreplicated tail) and the primary streams
from there. After a reconnect that is simply the backup's last seq: no full
copy, no gap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from frontdesk.adapters.json_limits import JsonLimitError, loads_bounded
from frontdesk.engine.errors import AdapterError
from frontdesk.engine.journal import Record

# Arrays and objects inside each other in one link frame: a record's event data sits 4 deep
# (frame, records, record, data), and event data is the engine's, shallow. A peer's frame
# past this is refused before parsing (``frontdesk.adapters.json_limits``).
MAX_FRAME_DEPTH = 64


class ReplicationError(AdapterError):
    """The replication link failed or a peer sent a frame that breaks the protocol."""


class LinkClosedError(ReplicationError):
    """The other end closed the link (or it broke)."""


# --- records ------------------------------------------------------------------------


def record_to_wire(r: Record) -> list[Any]:
    return [r.epoch, r.seq, r.stream, r.type, r.version, r.data, r.at]


def record_from_wire(item: Any) -> Record:
    try:
        epoch, seq, stream, type_, version, data, at = item
        if not (isinstance(epoch, int) and isinstance(seq, int) and isinstance(data, dict)):
            raise TypeError
        return Record(int(epoch), int(seq), str(stream), str(type_), int(version), data, float(at))
    except (TypeError, ValueError):
        raise ReplicationError(
            f"expected a record [epoch, seq, stream, type, version, data, at], got {item!r:.120}"
        ) from None


# --- frames -------------------------------------------------------------------------


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def decode(raw: str | bytes, *expected: str) -> dict[str, Any]:
    """Parse a frame and check its ``type`` is one of ``expected``."""
    try:
        frame = loads_bounded(raw, MAX_FRAME_DEPTH)
    except JsonLimitError as e:  # past the depth limit, json.loads would recurse and fail
        raise ReplicationError(f"expected a JSON frame, got {raw[:80]!r}: {e}") from None
    if not isinstance(frame, dict) or frame.get("type") not in expected:
        got = frame.get("type") if isinstance(frame, dict) else type(frame).__name__
        raise ReplicationError(f"expected a frame of type {' or '.join(expected)}, got {got!r}")
    return frame


def int_field(frame: dict[str, Any], key: str) -> int:
    value = frame.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReplicationError(
            f"{frame.get('type')}: field {key!r} expected an integer >= 0, got {value!r}"
        )
    return value


def str_field(frame: dict[str, Any], key: str) -> str:
    value = frame.get(key)
    if not isinstance(value, str):
        raise ReplicationError(
            f"{frame.get('type')}: field {key!r} expected a string, got {value!r}"
        )
    return value


# --- epoch runs -------------------------------------------------------------------


@dataclass
class EpochRuns:
    """The log as runs of one epoch each: ``[(epoch, first_seq, last_seq), ...]``."""

    runs: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def of(cls, records: Iterable[Record]) -> EpochRuns:
        runs = cls()
        runs.extend(records)
        return runs

    @classmethod
    def from_wire(cls, items: Any) -> EpochRuns:
        try:
            runs = [(int(e), int(a), int(b)) for e, a, b in items]
        except (TypeError, ValueError):
            raise ReplicationError(
                f"expected runs [[epoch, first, last], ...], got {items!r:.120}"
            ) from None
        return cls(runs)

    def to_wire(self) -> list[list[int]]:
        return [list(r) for r in self.runs]

    def extend(self, records: Iterable[Record]) -> None:
        for r in records:
            if self.runs and self.runs[-1][0] == r.epoch:
                e, first, _ = self.runs[-1]
                self.runs[-1] = (e, first, r.seq)
            else:
                self.runs.append((r.epoch, r.seq, r.seq))

    def extend_seq(self, epoch: int, seq: int) -> None:
        """Records up to ``seq`` were appended under ``epoch`` (after the current last)."""
        if seq <= self.last_seq:
            return
        if self.runs and self.runs[-1][0] == epoch:
            self.runs[-1] = (epoch, self.runs[-1][1], seq)
        else:
            self.runs.append((epoch, self.last_seq + 1, seq))

    def truncate(self, seq: int) -> None:
        """Forget everything after ``seq``."""
        kept: list[tuple[int, int, int]] = []
        for e, first, last in self.runs:
            if first > seq:
                break
            kept.append((e, first, min(last, seq)))
        self.runs = kept

    @property
    def last_seq(self) -> int:
        return self.runs[-1][2] if self.runs else 0


def common_prefix(mine: EpochRuns, theirs: EpochRuns) -> int:
    """The last seq up to which both logs hold the same records (0: none)."""
    last_of = {e: (first, last) for e, first, last in mine.runs}
    best = 0
    for e, first, last in theirs.runs:
        if e in last_of and last_of[e][0] == first:
            best = max(best, min(last, last_of[e][1]))
    return best


def records_frame(records: Sequence[Record]) -> dict[str, Any]:
    return {"type": "repl.records", "records": [record_to_wire(r) for r in records]}
