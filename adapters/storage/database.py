"""Opening a peewee database from a URL: an SQLite file (WAL) or PostgreSQL.

Theory of operation
-------------------
peewee keeps one connection *per thread* (``thread_safe=True``): the store
actor appends on its thread, a replay or a health check reads on another, and
each gets its own connection opened on first use. SQLite in WAL mode lets those
readers run while the writer commits; the writer takes ``BEGIN IMMEDIATE`` so
two writers never deadlock on a lock upgrade.

A thread's connection is closed by the garbage collector when the thread ends.
``close_all()`` closes every connection still open (from any thread), so a
closed journal leaves no file handle behind; for that the connections are made
with ``check_same_thread=False`` and tracked in a weak set (a plain
``sqlite3.Connection`` cannot be weakly referenced, a subclass can).

Every library error is translated at this edge by ``translated()``: callers
see a ``FrontdeskError`` subclass whose message names the database and the
operation, never a peewee or sqlite3 exception.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from frontdesk.engine.errors import ConfigError, FrontdeskError, JournalError

SqliteSynchronous = Literal["full", "normal"]
SQLITE_SYNCHRONOUS: tuple[SqliteSynchronous, ...] = ("full", "normal")


@dataclass(frozen=True)
class DatabaseTarget:
    """Where a database lives: an SQLite file or a PostgreSQL server."""

    kind: Literal["sqlite", "postgresql"]
    url: str
    path: Path | None = None  # the SQLite file
    # PostgreSQL: the URL's query parameters, libpq keywords passed to the driver as
    # they are (sslmode, connect_timeout, application_name, ...)
    options: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """A name for messages: the file, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def parse_database_url(url: str | Path) -> DatabaseTarget:
    """``sqlite:///relative.db``, ``sqlite:////abs/file.db``, a bare path, or ``postgresql://``."""
    if isinstance(url, Path):
        return DatabaseTarget("sqlite", f"sqlite:///{url}", url)
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(url)
        if not parts.path.strip("/"):
            raise ConfigError(
                f"database URL: expected postgresql://user:password@host:port/dbname, "
                f"got no database name in {DatabaseTarget('postgresql', url).describe()!r}"
            )
        return DatabaseTarget("postgresql", url, options=_libpq_options(url))
    if url.startswith("sqlite://"):
        rest = url[len("sqlite://") :]
        if not rest.startswith("/") or rest == "/":
            raise ConfigError(
                f"database URL: expected sqlite:///relative/path or sqlite:////absolute/path, "
                f"got {url!r}"
            )
        path = Path(unquote(rest[1:]))
        return DatabaseTarget("sqlite", url, path)
    if "://" in url or not url:
        raise ConfigError(
            "database URL: expected sqlite:///PATH, postgresql://user:password@host/dbname "
            f"or a file path, got {url!r}"
        )
    return DatabaseTarget("sqlite", f"sqlite:///{url}", Path(url))


DEFAULT_CONNECT_TIMEOUT_S = 5
"""libpq's ``connect_timeout`` unless the URL sets one: a database that accepts the
TCP connection and never answers fails the start (and each reconnection) after this."""


def _libpq_options(url: str) -> tuple[tuple[str, str], ...]:
    """The query of a PostgreSQL URL as libpq keywords, each checked by libpq itself."""
    described = DatabaseTarget("postgresql", url).describe()
    try:
        pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise ConfigError(f"database URL {described}: cannot read its query ({exc})") from None
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ConfigError(
                f"database URL {described}: expected each parameter once, got {key!r} twice"
            )
        seen.add(key)
    if pairs and importlib.util.find_spec("psycopg2") is not None:
        extensions = importlib.import_module("psycopg2.extensions")
        for key, value in pairs:
            try:
                extensions.parse_dsn(f"{key}='{_dsn_quote(value)}'")
            except Exception:  # psycopg2.ProgrammingError: libpq refused the keyword
                raise ConfigError(
                    f"database URL {described}: expected libpq connection parameters "
                    f"(sslmode, connect_timeout, application_name, ...), got {key!r}"
                ) from None
    return tuple(pairs)


def _dsn_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


class _TrackedConnection(sqlite3.Connection):
    """An sqlite3 connection that can be weakly referenced (so it can be tracked)."""


class _ConnectionTracker:
    def __init__(self) -> None:
        self._open: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, conn: Any) -> None:
        try:
            with self._lock:
                self._open.add(conn)
        except TypeError:  # a driver connection without weakref support: left to the GC
            pass

    def close_all(self) -> None:
        with self._lock:
            conns = list(self._open)
            self._open.clear()
        for conn in conns:
            # closing what may already be closed, or broken: nothing more to do
            with contextlib.suppress(Exception):
                conn.close()


class TrackedSqliteDatabase(peewee.SqliteDatabase):
    """``SqliteDatabase`` whose per-thread connections can all be closed at once."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        self.tracker = _ConnectionTracker()
        super().__init__(path, **kwargs)

    def connect(self, reuse_if_open: bool = False) -> bool:
        opened = super().connect(reuse_if_open)
        if opened:
            self.tracker.add(self.connection())  # type: ignore[no-untyped-call]
        return opened


class TrackedPostgresqlDatabase(peewee.PostgresqlDatabase):
    """``PostgresqlDatabase`` whose per-thread connections can all be closed at once.

    A connection the server cut (a restart, a failover of the database) is marked
    closed by psycopg2 at the first statement that fails on it; outside a
    transaction the next use of this thread's connection then connects afresh,
    so the thread reconnects by itself instead of failing for ever with
    ``connection already closed``. A read (``SELECT``) outside a transaction that
    failed because its connection was cut is run once more on a fresh one: reading
    twice changes nothing, and the first read after a restart does not fail (a
    write is never run again: it may have committed before the answer was lost).
    """

    def __init__(self, database: str, **kwargs: Any) -> None:
        self.tracker = _ConnectionTracker()
        super().__init__(database, **kwargs)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        try:
            return super().execute_sql(sql, params)  # type: ignore[no-untyped-call]
        except (peewee.OperationalError, peewee.InterfaceError):
            state: Any = getattr(self, "_state")  # noqa: B009
            cut = bool(getattr(state.conn, "closed", False))
            if not cut or self.in_transaction() or not sql.lstrip()[:6].upper() == "SELECT":
                raise
        return super().execute_sql(sql, params)  # type: ignore[no-untyped-call]

    def is_closed(self) -> bool:
        state: Any = getattr(self, "_state")  # noqa: B009 (peewee's per-thread state)
        broken = bool(getattr(state.conn, "closed", False))  # psycopg2: 0 open, else closed
        if not state.closed and broken and not self.in_transaction():
            state.reset()  # broken: forget it (closing it again would raise)
        return bool(state.closed)

    def connect(self, reuse_if_open: bool = False) -> bool:
        opened = super().connect(reuse_if_open)
        if opened:
            self.tracker.add(self.connection())  # type: ignore[no-untyped-call]
        return opened


TrackedDatabase = TrackedSqliteDatabase | TrackedPostgresqlDatabase


def open_database(
    target: DatabaseTarget,
    *,
    synchronous: SqliteSynchronous = "full",
    busy_timeout_ms: int = 5000,
    error: type[FrontdeskError] = JournalError,
) -> TrackedDatabase:
    """A peewee database for ``target``; the SQLite file's directory is created if missing."""
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ConfigError(
            f"sqlite synchronous: expected one of {', '.join(SQLITE_SYNCHRONOUS)}, "
            f"got {synchronous!r}"
        )
    if target.kind == "sqlite":
        assert target.path is not None
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error(
                f"cannot create the directory of {target.describe()}: {exc.strerror}"
            ) from None
        return TrackedSqliteDatabase(
            str(target.path),
            pragmas={
                "journal_mode": "wal",
                "synchronous": synchronous,
                "foreign_keys": 1,
                "busy_timeout": busy_timeout_ms,
            },
            timeout=busy_timeout_ms / 1000,
            lock_type="IMMEDIATE",
            check_same_thread=False,
            factory=_TrackedConnection,
        )
    if importlib.util.find_spec("psycopg2") is None:
        raise error(
            f"cannot open {target.describe()}: PostgreSQL needs psycopg2, "
            "install the optional 'postgres' extra (pip install -e '.[postgres]' in a checkout)"
        )
    parts = urlsplit(target.url)
    params: dict[str, Any] = dict(target.options)
    params.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT_S)
    if parts.hostname:
        params["host"] = parts.hostname
    if parts.port:
        params["port"] = parts.port
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    return TrackedPostgresqlDatabase(unquote(parts.path.lstrip("/")), **params)


def execute_sql(db: TrackedDatabase, sql: str, params: Sequence[object] = ()) -> None:
    """Run one statement for its effect (schema chores, tests); library errors pass through."""
    db.execute_sql(sql, params)


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (peewee.PeeweeException, sqlite3.Error, OSError)
    if importlib.util.find_spec("psycopg2") is not None:  # raw cursors raise the driver's own
        errors += (importlib.import_module("psycopg2").Error,)
    return errors


_DRIVER_ERRORS = _driver_errors()


@contextmanager
def translated(
    where: str, operation: str, error: type[FrontdeskError] = JournalError
) -> Iterator[None]:
    """Turn a peewee/driver error into ``error`` naming ``where`` and ``operation``."""
    try:
        yield
    except FrontdeskError:
        raise
    except _DRIVER_ERRORS as exc:
        # a failed statement whose rollback failed too ("cannot rollback - no transaction
        # is active": SQLite ended it itself on a full disk) names the statement's error
        cause: BaseException = exc
        while isinstance(cause.__context__, _DRIVER_ERRORS):  # (peewee re-raises its own)
            cause = cause.__context__
        detail = " ".join(str(cause).split())  # libpq's messages span lines: one line here
        raise error(f"{operation} failed on {where}: {type(cause).__name__}: {detail}") \
            from None
