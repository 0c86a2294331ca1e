"""A PostgreSQL cluster of a test's own, which the test may stop, start and restart.

``tests/adapters/conftest.py`` starts one cluster for the whole session, shared by
every test that takes it; a test that takes the database away must not take it
from the others, so it starts one of its own here (about a second with ``-F``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        self.port = _free_port()
        self.url = f"postgresql://frontdesk@127.0.0.1:{self.port}/frontdesk_test"
        self._run("initdb", "-D", str(self.data), "-U", "frontdesk", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "frontdesk",
                  "frontdesk_test")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bins / tool), *args]), check=True,
                       capture_output=True, timeout=60)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", *args)

    def start(self) -> None:
        self._ctl("-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -h 127.0.0.1 -F", "start")

    def stop(self) -> None:
        """Fast shutdown: open transactions rolled back, every connection cut."""
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -h 127.0.0.1 -F", "restart")

    def remove(self) -> None:
        subprocess.run(_as_postgres([str(self.bins / "pg_ctl"), "-D", str(self.data), "-m",
                                     "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def own_postgres() -> ScratchPostgres:
    """A cluster for one test (module); skips when the server binaries are missing."""
    bins = bin_dir()
    if bins is None:
        pytest.skip("needs Debian's PostgreSQL server binaries (make debian-packages)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root needs the postgres user to start PostgreSQL")
    try:
        return ScratchPostgres(bins)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        pytest.fail(f"could not start a PostgreSQL server of the test's own: {exc}")
