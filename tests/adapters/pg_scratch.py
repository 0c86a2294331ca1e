"""A PostgreSQL cluster of a test's own, which the test may stop, start and restart.

``tests/adapters/conftest.py`` starts one cluster for the whole session, shared by
every test that takes it; a test that takes the database away must not take it
from the others, so those tests share one of their own here (started at the
first of them, removed when the test process exits).
"""

from __future__ import annotations

import atexit
import dataclasses
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.client import VisitorClient
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.availability import JournalWritable, keep_writable
from frontdesk.adapters.testing.ports import free_port
from frontdesk.engine.clock import SystemClock
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.web.context import ServerContext, StaticNode
from frontdesk.web.options import ServerOptions
from frontdesk.web.server import run_server


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class ScratchPostgres:
    """``initdb`` in a temporary folder, served on a free loopback port (trust auth)."""

    def __init__(self, bins: Path) -> None:
        self.bins = bins
        self.root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-own-"))
        self.data = self.root / "data"
        self.data.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
        self.port = free_port()
        self.running = False
        self._databases = 0
        self._run("initdb", "-N", "-D", str(self.data), "-U", "frontdesk", "--auth=trust",
                  "-E", "UTF8")  # -N: no fsync, a throwaway cluster
        self.start()

    def fresh_database(self) -> str:
        """The URL of a new, empty database (one per test: the cluster is the module's)."""
        self._databases += 1
        name = f"frontdesk_test_{self._databases}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "frontdesk", name)
        return f"postgresql://frontdesk@127.0.0.1:{self.port}/{name}"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bins / tool), *args]), check=True,
                       capture_output=True, timeout=60)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", *args)

    def start(self) -> None:
        self._ctl("-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -h 127.0.0.1 -F", "start")
        self.running = True

    def stop(self) -> None:
        """Fast shutdown: open transactions rolled back, every connection cut."""
        self._ctl("-m", "fast", "stop")
        self.running = False

    def restart(self) -> None:
        self._ctl("-m", "fast", "-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -h 127.0.0.1 -F", "restart")

    def remove(self) -> None:
        subprocess.run(_as_postgres([str(self.bins / "pg_ctl"), "-D", str(self.data), "-m",
                                     "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


_SHARED: list[ScratchPostgres] = []


def own_postgres() -> ScratchPostgres:
    """The cluster of the tests that take the database away (one per test process, removed
    at its exit; each test takes a ``fresh_database()``); skips without the binaries."""
    if _SHARED:
        return _SHARED[0]
    bins = bin_dir()
    if bins is None:
        pytest.skip("needs Debian's PostgreSQL server binaries (make debian-packages)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root needs the postgres user to start PostgreSQL")
    try:
        server = ScratchPostgres(bins)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        pytest.fail(f"could not start a PostgreSQL server of the test's own: {exc}")
    _SHARED.append(server)
    atexit.register(server.remove)
    return server


@dataclasses.dataclass
class PgNode:
    url: str
    journal_url: str
    journal: SqlJournal
    accounts: Accounts
    engine: Engine
    ctx: ServerContext
    nursery: trio.Nursery
    clients: list[VisitorClient] = dataclasses.field(default_factory=list)

    async def visitor(self) -> VisitorClient:
        client = VisitorClient(self.url)
        await self.nursery.start(client.run)
        self.clients.append(client)
        return client


@asynccontextmanager
async def serving(journal_url: str, accounts_url: str | Path,
                  check_every_s: float = 5.0) -> AsyncIterator[PgNode]:
    """A node as ``frontdesk serve`` wires it (the journal's readiness condition and its
    ``keep_writable`` probe included) on ``journal_url``, in the test's loop, on real
    time: the store retries a rebuild it could not read on the engine's clock."""
    journal = SqlJournal(journal_url)
    accounts = Accounts(accounts_url, hashing=PasswordHashing.cheap())
    clock = SystemClock()
    engine = Engine(EngineSettings(), journal, clock)
    await trio.to_thread.run_sync(engine.start)
    ctx = ServerContext(engine, accounts, ServerOptions(port=0), clock,
                        StaticNode(journal.epoch, ready=True))
    ctx.readiness.add(JournalWritable(journal.availability))
    stop = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            port: int = await nursery.start(run_server, ctx, stop)
            nursery.start_soon(keep_writable, journal, stop, check_every_s)
            node = PgNode(f"http://127.0.0.1:{port}", journal_url, journal, accounts, engine,
                          ctx, nursery)
            try:
                yield node
            finally:
                for client in node.clients:
                    await client.aclose()
                stop.set()
    finally:
        await trio.to_thread.run_sync(engine.stop)
        clock.stop()
        journal.close()
        accounts.close()


async def until_writable(journal: SqlJournal, writable: bool, timeout: float) -> None:
    """Wait (at most ``timeout``) until the journal's availability is ``writable``."""
    token = trio.lowlevel.current_trio_token()
    changed = trio.Event()

    def seen(now_writable: bool) -> None:
        if now_writable == writable:
            token.run_sync_soon(changed.set)

    journal.availability.watch(seen)
    try:
        with trio.fail_after(timeout):
            if journal.availability.writable != writable:
                await changed.wait()
    finally:
        journal.availability.unwatch(seen)
