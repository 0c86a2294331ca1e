"""The server the fuzz suite attacks: a real ``frontdesk`` cluster primary in its own process.

One process serves every endpoint the suite attacks: ``/ws/visitor``, ``/ws/operator``,
``/ws/manager``, ``/ws/replication`` (a cluster node with a secret: the hello and HMAC path
are real) and the JSON API, ``/api/cluster`` included. It is started once per test session
(a witness beside it, asynchronous replication, no backup), with cheap argon2 costs, the
login throttle and the rate limit raised so that the fuzzer's own volume is not what it
measures (both are tested on their own in ``tests/web``).

The clients here are not the project's: ``websockets`` (its synchronous client) and
``httpx``, so what the suite expects comes from ``docs/protocol.md``, not from the code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.testing.ports import free_port
from frontdesk.config.loader import load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fuzz-cluster-secret"
PASSWORD = "correct horse battery"
# login, name, role: cid is the bystander's operator; eve is the API fuzzer's (its password
# may change); ann and bob are fuzzed operators, maria the fuzzed manager, mo the bystander's
USERS = (("ann", "Ann", "operator"), ("bob", "Bob", "operator"), ("cid", "Cid", "operator"),
         ("eve", "Eve", "operator"), ("maria", "Maria", "manager"), ("mo", "Mo", "manager"))
ENV = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
    "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
    "FRONTDESK_CLUSTER__SECRET": SECRET,
    "FRONTDESK_LOGIN__FAILURES_PER_ACCOUNT": "1000000",
    "FRONTDESK_LOGIN__FAILURES_PER_ADDRESS": "1000000",
    "FRONTDESK_LOGIN__MAX_CONCURRENT_HASHES": "4",
    "FRONTDESK_SERVER__RATE_LIMIT_PER_S": "100000",
    "FRONTDESK_SERVER__RATE_LIMIT_BURST": "100000",
    "FRONTDESK_SERVER__OPERATOR_GRACE_S": "3600",
    # no backup to fail over to: a long lease, so that a machine busy with other work (the
    # first long run lost its 1.2 s lease, and the node its writes, under such a load)
    # does not fence the primary in the middle of the run
    "FRONTDESK_CLUSTER__LEASE_S": "20",
    "FRONTDESK_CLUSTER__FAILOVER_TIMEOUT_S": "30",
}
TIMEOUT_S = 10.0


@dataclass
class FuzzNode:
    """The server process, its log, and helpers to reach it."""

    tmp: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    witness: subprocess.Popen[bytes] | None = None
    passwords: dict[str, str] = field(default_factory=dict)
    _log_seen: int = 0
    _copier: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.tmp / "node.log"

    def env(self) -> dict[str, str]:
        return dict(os.environ, **ENV)

    def start(self) -> None:
        data = self.tmp / "data"
        data.mkdir(parents=True, exist_ok=True)
        settings = load_settings(None, self.env(), {"storage.data_dir": str(data)})
        with Accounts.from_settings(settings) as accounts:
            for login, name, role in USERS:
                accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
                self.passwords[login] = PASSWORD
        witness_port, self.port = free_port(), free_port()
        with open(self.tmp / "witness.log", "ab") as log:
            self.witness = subprocess.Popen(
                [sys.executable, "-m", "frontdesk.adapters.witness", "--port", str(witness_port),
                 "--state", str(self.tmp / "witness.json")],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "frontdesk.web.cli", "serve", "--port", str(self.port),
             "--data-dir", str(data), "--role", "primary", "--node-name", "fuzz",
             "--mode", "async", "--primary", f"http://127.0.0.1:{free_port()}",
             "--advertise-url", self.url, "--witness", f"ws://127.0.0.1:{witness_port}/",
             "--log-level", "INFO"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env())
        ready = threading.Event()
        self._copier = threading.Thread(target=self._copy_log, args=(ready,), daemon=True)
        self._copier.start()
        if not ready.wait(60):
            raise AssertionError(f"the fuzz node never got ready: {self.log_tail()}")
        self.assert_running()
        health = httpx.get(f"{self.url}/api/cluster", timeout=TIMEOUT_S).json()
        assert health["ready"] and health["role"] == "primary", health

    def _copy_log(self, ready: threading.Event) -> None:
        """The process's output into ``node.log``; ``ready`` once it has said that it
        listens and that its engine started (as primary)."""
        assert self.proc is not None and self.proc.stdout is not None
        seen: set[str] = set()
        with open(self.log_path, "ab", buffering=0) as log:
            for line in self.proc.stdout:
                log.write(line)
                if b" listening on " in line:
                    seen.add("listening")
                if b"engine fuzz started" in line:
                    seen.add("engine")
                if len(seen) == 2:
                    ready.set()

    def stop(self) -> None:
        for proc in (self.proc, self.witness):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (self.proc, self.witness):
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        if self._copier is not None:
            self._copier.join(timeout=5)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()

    # --- what every example checks ------------------------------------------------------

    def log_tail(self, size: int = 4000) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(max(0, self.log_path.stat().st_size - size))
            return log.read().decode(errors="replace")

    def assert_running(self) -> None:
        assert self.proc is not None and self.proc.poll() is None, (
            f"the server process exited ({self.proc and self.proc.returncode}): "
            f"{self.log_tail()}")

    def assert_alive(self) -> None:
        """The process runs, answers /healthz, and logged no error since the last check
        (a handler that raised is logged at ERROR with its traceback: a bug found)."""
        self.assert_running()
        got = httpx.get(f"{self.url}/healthz", timeout=TIMEOUT_S)
        assert got.status_code == 200 and got.json()["ready"], got.text
        self.assert_no_new_errors()

    def assert_no_new_errors(self) -> None:
        with open(self.log_path, "rb") as log:  # only what came since the last check
            log.seek(self._log_seen)
            data = log.read()
        self._log_seen += len(data)
        new = data.decode(errors="replace")
        errors = [line for line in new.splitlines()
                  if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")]
        assert not errors, f"the server logged errors:\n{new[-6000:]}"

    # --- clients ------------------------------------------------------------------------

    def login(self, login: str) -> str:
        """A session cookie for ``login``."""
        got = httpx.post(f"{self.url}/api/login", timeout=TIMEOUT_S,
                         json={"login": login, "password": self.passwords[login]})
        assert got.status_code == 200, got.text
        return got.cookies["fd_session"]

    def cluster(self) -> dict[str, Any]:
        got: dict[str, Any] = httpx.get(f"{self.url}/api/cluster", timeout=TIMEOUT_S).json()
        return got

    def ws_raw(self, path: str, cookie: str | None = None) -> Ws:
        """A websocket on ``path``, nothing read yet."""
        headers = {"Cookie": f"fd_session={cookie}"} if cookie else None
        conn = connect(f"ws://127.0.0.1:{self.port}{path}", origin=self.url,  # type: ignore[arg-type]
                       additional_headers=headers, open_timeout=TIMEOUT_S, close_timeout=2,
                       max_size=None, max_queue=None, ping_interval=None)
        return Ws(conn)

    def ws(self, path: str, cookie: str | None = None) -> Ws:
        """A websocket on a client endpoint, its ``hello`` read."""
        ws = self.ws_raw(path, cookie)
        assert ws.next("hello")["type"] == "hello"
        return ws


class Ws:
    """A ``websockets`` connection with what the suite asks of it: every frame received is
    kept (``frames``), and waits are on a condition with a deadline."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn.__enter__()  # used as a context manager: closed by ``close()``
        self.frames: list[dict[str, Any]] = []
        self.closed_with: int | None = None

    def send(self, data: str | bytes | dict[str, Any]) -> None:
        """Send a frame; once the server has closed, nothing (``closed_with`` says why)."""
        # once closed, nothing is sent; what came before the close is still read (``until``,
        # ``wait_closed``), and then the close code
        with contextlib.suppress(ConnectionClosed):
            self.conn.send(json.dumps(data) if isinstance(data, dict) else data)

    def _take(self, timeout: float) -> dict[str, Any] | None:
        """The next frame, or None at the deadline or once closed (``closed_with``)."""
        try:
            data = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        except ConnectionClosed as exc:
            self.closed_with = exc.rcvd.code if exc.rcvd is not None else 1006
            return None
        frame: dict[str, Any] = json.loads(data)
        self.frames.append(frame)
        return frame

    def until(self, check: Any, timeout: float = TIMEOUT_S) -> dict[str, Any] | None:
        """The first frame (kept or new) for which ``check(frame)`` holds; None if the
        socket closed first; AssertionError at the deadline."""
        for frame in self.frames:
            if check(frame):
                return frame
        deadline = time.monotonic() + timeout
        while self.closed_with is None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            frame = self._take(left)
            if frame is not None and check(frame):
                return frame
        if self.closed_with is not None:
            return None
        raise AssertionError(f"no awaited frame within {timeout} s; last: {self.frames[-5:]}")

    def next(self, kind: str, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        got = self.until(lambda f: f.get("type") == kind, timeout)
        assert got is not None, f"closed with {self.closed_with} before a {kind}"
        return got

    def drain(self) -> None:
        """Take what has arrived, without waiting."""
        while self.closed_with is None and self._take(0) is not None:
            pass

    def wait_closed(self, timeout: float = TIMEOUT_S) -> int:
        """The server's close code (reading and keeping the frames before it)."""
        deadline = time.monotonic() + timeout
        while self.closed_with is None:
            left = deadline - time.monotonic()
            assert left > 0, f"not closed within {timeout} s; last: {self.frames[-5:]}"
            self._take(left)
        return self.closed_with

    def close(self) -> None:
        self.conn.close()


@contextlib.contextmanager
def opened(node: FuzzNode, path: str, cookie: str | None = None) -> Iterator[Ws]:
    ws = node.ws(path, cookie)
    try:
        yield ws
    finally:
        ws.close()
