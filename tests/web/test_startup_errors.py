"""Every start-up error is one line naming the problem and what to do, exit status 2.

Each case runs the real command line as a subprocess (``python -m frontdesk.web.cli``) and
checks its exit status and its whole stderr: one line, no traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.storage.identity import claim_journal, node_identity

ROOT = Path(__file__).resolve().parents[2]
CHEAP = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
    "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
}
CLUSTER = {
    "FRONTDESK_CLUSTER__PEER_URL": "http://127.0.0.1:9",
    "FRONTDESK_CLUSTER__WITNESS_URL": "ws://127.0.0.1:9/",
    "FRONTDESK_CLUSTER__SECRET": "s3cret",
}


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port some other process listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def frontdesk(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    environ.update({**CHEAP, "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "frontdesk.web.cli", *args],
        cwd=cwd, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )


def one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The single stderr line of a start that failed with exit 2; it contains ``expected``."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert done.returncode == 2, done.stderr
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


def test_serve_on_a_port_in_use(tmp_path: Path, taken_port: int) -> None:
    done = frontdesk(tmp_path, "serve", "--port", str(taken_port), "--data-dir", "d")
    one_line_error(done, f"127.0.0.1:{taken_port}", "already in use", "--port")


def test_cluster_serve_on_a_port_in_use(tmp_path: Path, taken_port: int) -> None:
    done = frontdesk(tmp_path, "serve", "--port", str(taken_port), "--data-dir", "d",
                     "--role", "backup", "--node-name", "b", **CLUSTER)
    one_line_error(done, f"127.0.0.1:{taken_port}", "already in use", "--port")


def test_witness_on_a_port_in_use(tmp_path: Path, taken_port: int) -> None:
    done = frontdesk(tmp_path, "witness", "--port", str(taken_port),
                     FRONTDESK_CLUSTER__SECRET="s3cret")
    one_line_error(done, f"127.0.0.1:{taken_port}", "already in use", "--port")


@pytest.mark.parametrize("command", [("serve", "--port", "0", "--data-dir", "f/sub"),
                                     ("user", "--data-dir", "f/sub", "list")])
def test_a_data_directory_under_a_file(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "f").write_text("not a directory")
    done = frontdesk(tmp_path, *command)
    one_line_error(done, "storage.data_dir", "f/sub", "f is a file", "--data-dir")


def test_a_bogus_log_level(tmp_path: Path) -> None:
    done = frontdesk(tmp_path, "serve", "--port", "0", "--log-level", "bogus")
    one_line_error(done, "--log-level", "'bogus'", "DEBUG, INFO, WARNING")
    assert not (tmp_path / "data").exists()  # refused before anything was opened


def test_a_journal_that_belongs_to_another_node(tmp_path: Path) -> None:
    shared = tmp_path / "shared.sqlite3"
    (tmp_path / "a").mkdir()
    claim_journal(f"sqlite:///{shared}", node_identity(tmp_path / "a", "a"))
    done = frontdesk(tmp_path, "serve", "--port", "0", "--data-dir", "b",
                     FRONTDESK_STORAGE__DATABASE_URL=f"sqlite:///{shared}")
    one_line_error(done, "belongs to node a", "give each node its own storage.database_url")


def test_a_database_that_cannot_be_reached(tmp_path: Path) -> None:
    pytest.importorskip("psycopg2", reason="the 'postgres' extra is not installed")
    url = f"postgresql://frontdesk@127.0.0.1:{unused_port()}/nowhere?connect_timeout=2"
    done = frontdesk(tmp_path, "serve", "--port", "0",
                     FRONTDESK_STORAGE__DATABASE_URL=url)
    one_line_error(done, "cannot connect to the journal database", "Connection refused",
                   "storage.database_url")


def test_a_database_that_accepts_the_connection_and_never_answers(
    tmp_path: Path, taken_port: int
) -> None:
    pytest.importorskip("psycopg2", reason="the 'postgres' extra is not installed")
    url = f"postgresql://frontdesk@127.0.0.1:{taken_port}/hung?connect_timeout=2"
    done = frontdesk(tmp_path, "serve", "--port", "0", FRONTDESK_STORAGE__DATABASE_URL=url)
    one_line_error(done, "cannot connect to the journal database", "timeout expired",
                   "storage.database_url")
