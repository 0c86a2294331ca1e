"""Opening the journal's database: URLs, SQLite pragmas, per-thread connections, errors."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from pathlib import Path

import pytest

from frontdesk.adapters.storage import SqlJournal, parse_database_url
from frontdesk.adapters.storage.database import DEFAULT_CONNECT_TIMEOUT_S, open_database
from frontdesk.engine.errors import ConfigError, JournalError
from frontdesk.engine.journal import NewEvent
from tests.adapters.test_storage_journal import postgres_url

needs_psycopg2 = pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is None, reason="psycopg2 missing (the 'postgres' extra)"
)


def test_database_urls_name_a_file_or_a_server(tmp_path: Path) -> None:
    assert parse_database_url("sqlite:///data/j.db").path == Path("data/j.db")
    assert parse_database_url("sqlite:////srv/fd/j.db").path == Path("/srv/fd/j.db")
    assert parse_database_url("data/j.db").path == Path("data/j.db")
    assert parse_database_url(tmp_path / "x.db").path == tmp_path / "x.db"
    pg = parse_database_url("postgresql://fd:secret@127.0.0.1:5433/frontdesk")
    assert (pg.kind, pg.path) == ("postgresql", None)
    assert pg.describe() == "postgresql://fd@127.0.0.1:5433/frontdesk"  # no password
    for bad in ("mysql://x/y", "", "sqlite://", "sqlite://relative", "postgresql://host"):
        with pytest.raises(ConfigError, match="database URL: expected"):
            parse_database_url(bad)


def test_sqlite_runs_in_wal_mode_with_the_synchronous_level_asked(tmp_path: Path) -> None:
    with SqlJournal(tmp_path / "full.sqlite3") as full:
        assert full.pragma("journal_mode") == "wal"
        assert full.pragma("synchronous") == 2  # FULL
        assert full.pragma("foreign_keys") == 1
        assert full.pragma("busy_timeout") == 5000
    with SqlJournal(tmp_path / "normal.sqlite3", synchronous="normal", busy_timeout_ms=250) as n:
        assert n.synchronous == "normal"
        assert n.pragma("synchronous") == 1  # NORMAL
        assert n.pragma("busy_timeout") == 250
    with pytest.raises(ConfigError, match="expected one of full, normal, got 'off'"):
        SqlJournal(tmp_path / "off.sqlite3", synchronous="off")  # type: ignore[arg-type]


def test_the_data_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "journal.sqlite3"
    with SqlJournal(f"sqlite:///{path}") as j:
        j.append([NewEvent("node", "started", 1, {}, 1.0)], epoch=1)
    assert path.is_file()


def test_close_closes_the_connections_of_every_thread(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    j = SqlJournal(path)
    j.append([NewEvent("node", "started", 1, {}, 1.0)], epoch=1)
    read_on_thread: list[int] = []
    has_read, closed = threading.Event(), threading.Event()

    def reader() -> None:  # keeps its connection (thread-local) until the journal is closed
        read_on_thread.extend(r.seq for r in j.read())
        has_read.set()
        closed.wait(timeout=30)

    thread = threading.Thread(target=reader)
    thread.start()
    assert has_read.wait(timeout=30)
    assert read_on_thread == [1]
    j.close()
    j.close()  # twice is fine
    # the WAL is checkpointed and removed only when the last connection closes: the
    # reader thread is still alive, so its connection was closed by close()
    assert thread.is_alive()
    assert not Path(f"{path}-wal").exists()
    closed.set()
    thread.join(timeout=30)
    assert (j.last(), j.epoch()) == ((1, 1), 1)  # cached values stay readable
    with pytest.raises(JournalError, match=r"cannot append: the journal .*j\.sqlite3 is closed"):
        j.append([], epoch=1)
    with pytest.raises(JournalError, match=r"cannot read: the journal .* is closed"):
        list(j.read())
    with pytest.raises(JournalError, match=r"cannot verify: the journal .* is closed"):
        j.verify()


def test_a_file_that_is_not_a_database_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"this is not an sqlite database, just text" * 100)
    with pytest.raises(JournalError, match=r"open the journal failed on .*j\.sqlite3: "):
        SqlJournal(path)


def test_a_directory_in_the_way_is_a_journal_error(tmp_path: Path) -> None:
    (tmp_path / "j.sqlite3").mkdir()
    with pytest.raises(JournalError, match=r"failed on .*j\.sqlite3"):
        SqlJournal(tmp_path / "j.sqlite3")
    (tmp_path / "file").write_text("x")
    with pytest.raises(JournalError, match="cannot create the directory of"):
        SqlJournal(tmp_path / "file" / "j.sqlite3")


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is not None, reason="psycopg2 is installed here"
)
def test_postgresql_without_its_driver_says_which_extra_to_install() -> None:
    with pytest.raises(JournalError, match="install the optional 'postgres' extra"):
        SqlJournal("postgresql://fd@127.0.0.1:1/frontdesk")


def test_a_postgresql_urls_query_parameters_are_kept_for_the_driver() -> None:
    pg = parse_database_url(
        "postgresql://fd:pw@db.example:5433/frontdesk?sslmode=verify-full&connect_timeout=3"
        "&application_name=frontdesk%20a"
    )
    assert pg.options == (
        ("sslmode", "verify-full"),
        ("connect_timeout", "3"),
        ("application_name", "frontdesk a"),
    )
    assert pg.describe() == "postgresql://fd@db.example:5433/frontdesk"
    db = open_database(pg)
    assert db.connect_params["sslmode"] == "verify-full"
    assert db.connect_params["connect_timeout"] == "3"
    default = open_database(parse_database_url("postgresql://fd@db.example/frontdesk"))
    assert default.connect_params["connect_timeout"] == DEFAULT_CONNECT_TIMEOUT_S == 5


@needs_psycopg2
def test_a_query_parameter_libpq_does_not_know_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"expected libpq connection parameters .*got 'sslmod'"):
        parse_database_url("postgresql://fd@127.0.0.1/frontdesk?sslmod=require")
    with pytest.raises(ConfigError, match="expected each parameter once, got 'sslmode' twice"):
        parse_database_url("postgresql://fd@127.0.0.1/frontdesk?sslmode=disable&sslmode=require")


@needs_psycopg2
def test_sslmode_require_is_refused_by_a_server_without_ssl() -> None:
    url = postgres_url()  # the scratch server runs without SSL
    with SqlJournal(url + "?sslmode=disable&application_name=fd-plain") as plain:
        assert "?" not in plain.where  # the options are not part of the name in messages
    with pytest.raises(
        JournalError, match=r"open the journal failed on .*server does not support SSL"
    ):
        SqlJournal(url + "?sslmode=require")


@needs_psycopg2
def test_application_name_reaches_the_server() -> None:
    db = open_database(parse_database_url(postgres_url() + "?application_name=fd-probe"))
    try:
        cursor = db.execute_sql("SHOW application_name")  # type: ignore[no-untyped-call]
        assert cursor.fetchone() == ("fd-probe",)
    finally:
        db.close()


@needs_psycopg2
def test_a_database_that_accepts_tcp_and_never_answers_fails_the_open_in_time() -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
        port = hung.getsockname()[1]
        started = time.monotonic()
        timed_out = r"failed on postgresql://fd@127\.0\.0\.1:\d+/frontdesk: .*timeout"
        with pytest.raises(JournalError, match=timed_out):
            SqlJournal(f"postgresql://fd@127.0.0.1:{port}/frontdesk?connect_timeout=1")
        assert time.monotonic() - started < 10
