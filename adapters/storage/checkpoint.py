"""Checkpoint files: the engine's state at a journal seq, so a start replays only the tail.

``CheckpointStore`` keeps the latest checkpoints (``frontdesk.engine.checkpoint``'s bytes) of one
node in ``<data_dir>/checkpoints/checkpoint-<seq>.fdck``: each written to a temporary
file, fsynced, renamed into place and the directory fsynced, so a crash leaves either the
old set or the new one, never a torn file under a checkpoint's name; the ``keep`` newest
are kept.

``start_state`` is how a node starts: the newest checkpoint that decodes and fits the
journal (``replay.fits``: the journal holds a record at its seq, of its epoch), caught up
with the records after it. A checkpoint that is corrupt, of an older format, or of
another history (the journal was cut or replaced) is skipped with a warning naming the
file and why; with none left the whole journal is replayed, and the log says so.

``keep_checkpoints`` is the periodic writer of a single node (``frontdesk serve``); a
cluster node's is ``frontdesk.adapters.replication.hot_standby`` (its live state changes hands
between the standby and the engine).
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import trio

from frontdesk.engine import checkpoint
from frontdesk.engine.checkpoint import CheckpointError
from frontdesk.engine.errors import AdapterError, FrontdeskError
from frontdesk.engine.journal import Journal
from frontdesk.engine.replay import Fold, catch_up, fits, restore_histories

log = logging.getLogger("frontdesk.storage.checkpoint")

SUFFIX = ".fdck"


@dataclass(frozen=True)
class StartReport:
    """How a start built its state: from which checkpoint (0: none) and how many records."""

    checkpoint_seq: int
    replayed: int
    skipped: tuple[str, ...] = ()  # "file: why", of each checkpoint that could not be used


class CheckpointStore:
    def __init__(self, directory: Path | str, keep: int = 2) -> None:
        self.directory = Path(directory)
        self.keep = max(1, keep)
        self.written = 0
        self.last_written_seq = 0

    def paths(self) -> list[Path]:
        """The checkpoint files, newest (highest seq) first."""
        if not self.directory.is_dir():
            return []
        found = []
        for p in self.directory.glob(f"checkpoint-*{SUFFIX}"):
            number = p.name.removeprefix("checkpoint-").removesuffix(SUFFIX)
            if number.isascii() and number.isdigit():
                found.append((int(number), p))
        return [p for _, p in sorted(found, reverse=True)]

    def write(self, data: bytes) -> Path:
        """Write checkpoint ``data`` durably; drop all but the ``keep`` newest."""
        seq = checkpoint.read_header(data).seq
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"checkpoint-{seq:012d}{SUFFIX}"
        tmp = self.directory / f".{final.name}.tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
            fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise AdapterError(f"cannot write the checkpoint {final}: {e}") from None
        self.written += 1
        self.last_written_seq = seq
        for old in self.paths()[self.keep :]:
            with contextlib.suppress(OSError):
                old.unlink()
        return final

    def load(
        self, journal: Journal, default_capacity: int
    ) -> tuple[Fold | None, int, tuple[str, ...]]:
        """The newest usable checkpoint's Fold (None if none), its seq, and the skipped."""
        skipped: list[str] = []
        for path in self.paths():
            try:
                fold = checkpoint.decode(path.read_bytes())
            except (OSError, CheckpointError) as e:
                why = f"{path}: {e}"
            else:
                if fits(fold, journal):
                    fold.default_capacity = default_capacity  # today's setting, not then
                    self.last_written_seq = max(self.last_written_seq, fold.last_seq)
                    return fold, fold.last_seq, tuple(skipped)
                why = (
                    f"{path}: of another history (seq {fold.last_seq} epoch {fold.epoch}, "
                    f"the journal's last is {journal.last()})"
                )
            log.warning("checkpoint not used: %s", why)
            skipped.append(why)
        return None, 0, tuple(skipped)


def start_state(
    store: CheckpointStore | None, journal: Journal, default_capacity: int
) -> tuple[Fold, StartReport]:
    """The engine's state at the journal's end: a checkpoint plus the tail, or a full replay."""
    found = store.load(journal, default_capacity) if store is not None else None
    fold, at, skipped = found if found is not None else (None, 0, ())
    if fold is None:
        fold = Fold(default_capacity)
        if store is not None and journal.last()[1] > 0:
            log.warning(
                "no usable checkpoint in %s: replaying the whole journal (%d records)",
                store.directory,
                journal.last()[1],
            )
    restore_histories(fold, journal)  # a checkpoint keeps summaries: the entries are read back
    replayed = catch_up(fold, journal)
    log.info(
        "state at seq %d: checkpoint at seq %d plus %d records replayed",
        fold.last_seq,
        at,
        replayed,
    )
    return fold, StartReport(at, replayed, skipped)


class CheckpointSource(Protocol):
    """What is checkpointed: a running ``Engine`` (or anything with its two methods)."""

    def last_seq(self) -> int: ...

    def checkpoint(self) -> bytes: ...


async def keep_checkpoints(
    store: CheckpointStore,
    source: CheckpointSource,
    *,
    interval_s: float = 30.0,
    min_records: int = 1000,
) -> None:
    """Every ``interval_s``, once ``min_records`` more records are folded, write a
    checkpoint of ``source`` (encoded and written in worker threads); until cancelled."""
    while True:
        await trio.sleep(interval_s)
        await checkpoint_once(store, source, min_records=min_records)


async def checkpoint_once(
    store: CheckpointStore, source: CheckpointSource, *, min_records: int = 1
) -> bool:
    """Write a checkpoint of ``source`` if it folded ``min_records`` since the last one."""
    seq = source.last_seq()
    if seq == 0 or seq - store.last_written_seq < max(1, min_records):
        return False
    try:
        data = await trio.to_thread.run_sync(source.checkpoint)
        path = await trio.to_thread.run_sync(store.write, data)
    except FrontdeskError as e:
        log.warning("no checkpoint written: %s", e)
        return False
    log.info("checkpoint at seq %d written: %s (%d bytes)", seq, path, len(data))
    return True
