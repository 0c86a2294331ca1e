"""A scratch PostgreSQL server for the storage and accounts tests.

When ``FRONTDESK_TEST_POSTGRES_URL`` is not set and Debian's PostgreSQL server
binaries are installed (``make test`` installs them), one throwaway cluster is
started for the session in a temporary folder on a free loopback port, and the
tests that take that variable run on it; it is stopped and removed afterwards.
Without the binaries those tests skip and say why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.testing.ports import free_port

_VAR = "FRONTDESK_TEST_POSTGRES_URL"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session", autouse=True)
def scratch_postgres() -> Iterator[str | None]:
    if os.environ.get(_VAR) or (bins := _bin_dir()) is None:
        yield os.environ.get(_VAR)
        return
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            yield None
            return
    root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chown(data, owner.pw_uid, owner.pw_gid)
    port = free_port()
    try:
        subprocess.run(
            _as_postgres(
                [
                    str(bins / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "frontdesk",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(bins / "pg_ctl"),
                    "-D",
                    str(data),
                    "-w",
                    "-l",
                    str(root / "log"),
                    "-o",
                    f"-p {port} -k {root} -h 127.0.0.1 -F",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(bins / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "frontdesk",
                    "frontdesk_test",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start the scratch PostgreSQL server: {exc}")
    url = f"postgresql://frontdesk@127.0.0.1:{port}/frontdesk_test"
    os.environ[_VAR] = url
    try:
        yield url
    finally:
        del os.environ[_VAR]
        subprocess.run(
            _as_postgres([str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
