"""The least a relay must add to make each message durable before it relays it.

frontdesk relays a message only once it is in its journal, fsynced (docs/architecture.md:
an acknowledged message is never lost). The plain floor (``bench/floor.py``) relays at
once, so part of what separates the two is that promise, not the engine. ``DurableLog``
is that promise alone, in the cheapest shape Python and trio allow: one writer thread,
group commit (every frame waiting goes into one transaction, at most ``BATCH``, as the
engine's store does), SQLite in WAL mode with ``synchronous=FULL`` (frontdesk's shipped
setting), then one hand-over of the whole batch to the trio loop. No actors, no
projection, no JSON beyond the floor's own. ``python -m bench.floor --durable PATH``
relays through it.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import trio

log = logging.getLogger("bench.durable_log")

BATCH = 256  # as frontdesk's store (engine/store.py)

Deliver = Callable[[], None]


class DurableLog:
    """Appends frames from the loop, and runs each one's ``deliver`` on the loop once its
    transaction is committed and fsynced."""

    def __init__(self, path: Path, token: trio.lowlevel.TrioToken) -> None:
        self.path = path
        self.token = token
        self.appended = 0
        self.commits = 0
        self._inbox: queue.SimpleQueue[tuple[str | bytes, Deliver] | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="durable-log", daemon=True)

    def start(self) -> None:
        """Start the writer; raises what opening the database raised."""
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def submit(self, frame: str | bytes, deliver: Deliver) -> None:
        self._inbox.put((frame, deliver))

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=10)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS message "
                   "(seq INTEGER PRIMARY KEY, frame TEXT NOT NULL)")
        return db

    def _run(self) -> None:
        try:
            db = self._open()
        except BaseException as exc:  # told to ``start``'s caller
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while (first := self._inbox.get()) is not None:
                batch = [first]
                ended = False
                while len(batch) < BATCH:
                    try:
                        item = self._inbox.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        ended = True
                        break
                    batch.append(item)
                db.execute("BEGIN")
                db.executemany("INSERT INTO message (frame) VALUES (?)",
                               [(frame,) for frame, _ in batch])
                db.execute("COMMIT")
                self.appended += len(batch)
                self.commits += 1
                delivers = [deliver for _, deliver in batch]
                try:
                    self.token.run_sync_soon(_deliver_all, delivers)
                except trio.RunFinishedError:
                    return
                if ended:
                    return
        finally:
            db.close()


def _deliver_all(delivers: list[Deliver]) -> None:
    """On the loop. A deliver that raised would crash trio's run loop: logged instead."""
    for deliver in delivers:
        try:
            deliver()
        except Exception:
            log.exception("a delivery failed")
