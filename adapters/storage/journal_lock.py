"""One running process per journal: a lock held for the life of the node.

``frontdesk.adapters.storage.identity`` makes sure a journal is only ever opened by the
node that owns it; this makes sure that node runs once. Two processes with the
same identity (a configuration copied to a second host with its
``storage.node_id`` or ``cluster.node_name`` left as it was, or the same
command started twice) would otherwise write one journal and collide as two
nodes do.

- SQLite: an exclusive ``flock`` on ``<journal file>.lock`` beside the file.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held by
  a connection of its own, in the journal's database.

Both are released by the operating system or the server when the process dies,
even by SIGKILL, so a node restarted after a crash is never refused. The check
is made at start: should the PostgreSQL server restart while the node runs,
the lock goes with the connection and is not taken again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import Any

from frontdesk.adapters.storage.database import (
    TrackedDatabase,
    open_database,
    parse_database_url,
    translated,
)
from frontdesk.adapters.storage.identity import SHARE_ADVICE
from frontdesk.engine.errors import JournalError

ADVISORY_KEY = int.from_bytes(b"frontdk", "big")
"""The advisory lock's key: one journal per database, so one key for all."""


class JournalInUseError(JournalError):
    """Another running process holds the journal."""


class JournalLock:
    """Held until ``release()`` (or the end of the process)."""

    def __init__(self, fd: int | None = None, db: TrackedDatabase | None = None) -> None:
        self._fd = fd
        self._db = db

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        if self._db is not None:
            with contextlib.suppress(Exception):  # a broken connection lost the lock already
                self._db.close()
            self._db.tracker.close_all()
            self._db = None


def lock_journal(url: str, node_name: str) -> JournalLock:
    """Take the journal's lock for this process, or raise ``JournalInUseError``."""
    target = parse_database_url(url)
    where = target.describe()
    if target.path is not None:
        return _lock_file(f"{target.path}.lock", where, node_name)
    db = open_database(target)
    try:
        with translated(where, "lock the journal"):
            cursor: Any = db.execute_sql(
                "SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,))
            (taken,) = cursor.fetchone()
    except BaseException:
        db.tracker.close_all()
        raise
    if not taken:
        db.close()
        db.tracker.close_all()
        raise JournalInUseError(_in_use(where, node_name))
    return JournalLock(db=db)


def _lock_file(path: str, where: str, node_name: str) -> JournalLock:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise JournalError(
            f"cannot lock the journal {where}: cannot open {path}: {exc.strerror}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise JournalInUseError(_in_use(where, node_name)) from None
    return JournalLock(fd=fd)


def _in_use(where: str, node_name: str) -> str:
    return (
        f"journal database {where} is in use by another running process of node "
        f"{node_name}; stop that process first, or, if it is another node, {SHARE_ADVICE} "
        "and give it its own identity (cluster.node_name, storage.node_id)"
    )
