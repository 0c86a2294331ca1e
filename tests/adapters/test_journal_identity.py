"""adapters/storage/identity.py: a journal database belongs to one node (real processes).

A node ``frontdesk serve`` runs on a journal database; a second process pointing at the
same journal, plain or cluster, refuses to start in one line with exit status 2, while
the same node restarted (same data directory, or same ``storage.node_id``) starts. Each
case runs on an SQLite file and on a fresh database of the scratch PostgreSQL server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.storage.database import execute_sql, open_database, parse_database_url
from frontdesk.adapters.storage.identity import (
    JournalOwnedError,
    claim_journal,
    node_identity,
)
from frontdesk.adapters.storage.journal_lock import JournalInUseError, lock_journal
from tests.adapters.test_storage_journal import postgres_url

ROOT = Path(__file__).resolve().parents[2]
CHEAP = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
    "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
}


@contextmanager
def scratch_database(prefix: str = "fd_identity") -> Iterator[str]:
    """A fresh database on the scratch PostgreSQL server, dropped afterwards."""
    base = postgres_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = open_database(parse_database_url(base))
    admin.autocommit = True  # type: ignore[attr-defined]
    execute_sql(admin, f"CREATE DATABASE {name}")
    admin.close()
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = open_database(parse_database_url(base))
        execute_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty journal database: an SQLite file outside both data directories, or a
    database of its own on the scratch PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared' / 'journal.sqlite3'}"
        return
    with scratch_database() as url:
        yield url


def node_env(journal: str, data_dir: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, **CHEAP, "PYTHONPATH": str(ROOT),
           "FRONTDESK_STORAGE__DATABASE_URL": journal,
           # accounts in each node's own data directory: only the journal is in question
           "FRONTDESK_STORAGE__ACCOUNTS_URL": f"sqlite:///{data_dir / 'accounts.sqlite3'}"}
    env.update({f"FRONTDESK_{k.upper()}": v for k, v in settings.items()})
    return env


def refused_start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontdesk.web.cli", "serve", "--port", "0", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )


class Node:
    """A ``frontdesk serve`` subprocess, read until it is ready."""

    def __init__(self, process: trio.Process) -> None:
        self.process = process
        self.output = b""

    @classmethod
    async def start(cls, env: dict[str, str], data_dir: Path, *args: str) -> Node:
        process = await trio.lowlevel.open_process(
            [sys.executable, "-m", "frontdesk.web.cli", "serve", "--port", "0",
             "--data-dir", str(data_dir), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )
        node = cls(process)
        await node.read_until(b"frontdesk is ready on ")
        await node.read_until(b"\n", after=b"frontdesk is ready on ")
        return node

    @property
    def url(self) -> str:
        """The base URL the ready banner names."""
        line = self.output.split(b"frontdesk is ready on ", 1)[1].split(b"\n", 1)[0]
        return line.decode().strip()

    async def read_until(self, marker: bytes, timeout: float = 30.0, after: bytes = b"") -> None:
        assert self.process.stdout is not None
        with trio.fail_after(timeout):
            while marker not in (self.output.partition(after)[2] if after else self.output):
                chunk = await self.process.stdout.receive_some(65536)
                if not chunk:
                    raise AssertionError(f"serve ended before {marker!r}: {self.output!r}")
                self.output += chunk

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        with trio.fail_after(30):
            return await self.process.wait()


def assert_refused_in_one_line(done: subprocess.CompletedProcess[str], owner: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"belongs to node {owner}" in lines[0]
    assert "give each node its own storage.database_url" in lines[0]
    assert "storage.accounts_url" in lines[0]


@pytest.mark.slow
async def test_a_second_plain_node_on_the_journal_of_a_running_one_is_refused(
    journal_url: str, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a = await Node.start(node_env(journal_url, a_dir, cluster__node_name="a"), a_dir)
    try:
        second = refused_start(node_env(journal_url, b_dir, cluster__node_name="b"),
                               "--data-dir", str(b_dir))
        assert_refused_in_one_line(second, "a")
        assert a.process.returncode is None  # the owner goes on serving
    finally:
        assert await a.stop() == 0
    # node a restarted on its own data directory is the same node: it starts again
    again = await Node.start(node_env(journal_url, a_dir, cluster__node_name="a"), a_dir)
    assert await again.stop() == 0


@pytest.mark.slow
def test_a_cluster_node_on_a_plain_nodes_journal_is_refused_before_it_listens(
    journal_url: str, tmp_path: Path
) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    claim_journal(journal_url, node_identity(a_dir, "a"))  # node a's first start
    cluster = {"cluster__peer_url": "http://127.0.0.1:9", "cluster__witness_url":
               "ws://127.0.0.1:9/", "cluster__secret": "s3cret", "cluster__node_name": "b",
               "cluster__advertise_url": "http://127.0.0.1:9"}
    done = refused_start(node_env(journal_url, b_dir, **cluster), "--data-dir", str(b_dir),
                         "--role", "backup")
    assert_refused_in_one_line(done, "a")


def test_the_owner_is_recorded_once_and_a_restart_with_the_same_identity_is_accepted(
    journal_url: str, tmp_path: Path
) -> None:
    for name in ("a", "b", "fresh"):
        (tmp_path / name).mkdir()
    me = node_identity(tmp_path / "a", "a")
    assert (tmp_path / "a" / "node-id").read_text().strip() == me.node_id
    first = claim_journal(journal_url, me)
    assert (first.node_id, first.name) == (me.node_id, "a")
    assert node_identity(tmp_path / "a", "a") == me  # the id is kept in the data directory
    assert claim_journal(journal_url, me) == first  # a restart: the same row, unchanged
    other = node_identity(tmp_path / "b", "b")
    with pytest.raises(JournalOwnedError, match=f'storage.node_id = "{me.node_id}"'):
        claim_journal(journal_url, other)
    # a node whose data directory was lost takes its journal back with storage.node_id
    reborn = node_identity(tmp_path / "fresh", "a", configured_id=me.node_id)
    assert claim_journal(journal_url, reborn) == first


def test_a_cluster_nodes_identity_is_its_node_name(journal_url: str, tmp_path: Path) -> None:
    a = node_identity(tmp_path / "one", "node-a", cluster=True)
    assert a.node_id == "node-a"
    assert not (tmp_path / "one" / "node-id").exists()
    claim_journal(journal_url, a)
    # the same cluster node on another data directory is still node-a
    claim_journal(journal_url, node_identity(tmp_path / "two", "node-a", cluster=True))
    with pytest.raises(JournalOwnedError, match="belongs to node node-a"):
        claim_journal(journal_url, node_identity(tmp_path / "two", "node-b", cluster=True))


@pytest.mark.slow
async def test_the_same_node_twice_is_refused_while_it_runs_and_starts_after_a_sigkill(
    journal_url: str, tmp_path: Path
) -> None:
    same = {"cluster__node_name": "a", "storage__node_id": "node-a"}  # a config copied
    first = await Node.start(node_env(journal_url, tmp_path / "one", **same), tmp_path / "one")
    try:
        twice = refused_start(node_env(journal_url, tmp_path / "two", **same),
                              "--data-dir", str(tmp_path / "two"))
        assert twice.returncode == 2, twice.stderr
        lines = twice.stderr.strip().splitlines()
        assert len(lines) == 1, twice.stderr
        assert "is in use by another running process of node a" in lines[0]
        assert "stop that process first" in lines[0]
    finally:
        first.process.kill()  # SIGKILL: the lock goes with the process
        with trio.fail_after(30):
            await first.process.wait()
    again = await Node.start(node_env(journal_url, tmp_path / "two", **same), tmp_path / "two")
    assert await again.stop() == 0


def test_the_journal_lock_is_held_until_released(journal_url: str, tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir(exist_ok=True)
    held = lock_journal(journal_url, "a")
    try:
        with pytest.raises(JournalInUseError, match="in use by another running process"):
            lock_journal(journal_url, "a")
    finally:
        held.release()
    lock_journal(journal_url, "a").release()  # free again
