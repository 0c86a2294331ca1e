"""A real ``frontdesk serve`` in a subprocess, for the browser tests.

The accounts are created before the start, straight into the data directory's
accounts database (``frontdesk.adapters.accounts``), so the tests know the passwords;
the server is ready when ``GET /healthz`` says so (polled with a deadline).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
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

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.testing.ports import free_port

REPO = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "frontdesk.web.cli", "serve"]
READY_TIMEOUT_S = 30.0
# The tests were written for consoles that start Connected (the shipped default takes no
# new dialogs until the operator picks Connected); a test of the default sets it in its
# configuration text.
# Likewise they start chats with no operator taking dialogs (queued visitors), where the
# shipped default offers the offline form: tests/browser/test_offline.py sets it back.
SUITE_ENV = {"FRONTDESK_SERVER__INITIAL_OPERATOR_STATUS": "connected",
             "FRONTDESK_OFFLINE__WHEN_NO_OPERATOR": "false"}
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    role: str
    password: str


ACCOUNTS = (
    Account("ann", "Ann", "operator", "ann-password-1"),
    Account("bob", "Bob", "operator", "bob-password-1"),
    Account("maria", "Maria", "manager", "maria-password-1"),
    Account("sam", "Sam", "operator,manager", "sam-password-1"),  # both roles: a set
)


@dataclass
class Server:
    base_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    accounts: dict[str, Account] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """A plain static web server for ``directory`` (another origin than frontdesk's)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def create_accounts(data_dir: Path) -> dict[str, Account]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with Accounts(data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as accounts:
        for account in ACCOUNTS:
            accounts.create_user(account.login, account.name, account.role, account.password)  # type: ignore[arg-type]
    return {a.login: a for a in ACCOUNTS}


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"frontdesk serve exited with {server.process.returncode} before it was "
                    f"ready; log:\n{server.log_tail()}"
                )
            try:
                answer = client.get(server.url("/healthz"))
                if answer.status_code == 200 and answer.json().get("ready"):
                    return
                last = f"HTTP {answer.status_code} {answer.text[:200]}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(0.1)  # polling the readiness endpoint, bounded by the deadline
    raise RuntimeError(
        f"frontdesk serve was not ready within {READY_TIMEOUT_S} s (last: {last}); "
        f"log:\n{server.log_tail()}"
    )


@contextlib.contextmanager
def running_server(tmp: Path, config_text: str | None = None) -> Iterator[Server]:
    data_dir = tmp / "data"
    accounts = create_accounts(data_dir)
    port = free_port()
    command = [
        *SERVE,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    if config_text is not None:
        config_path = tmp / "frontdesk.toml"
        config_path.write_text(config_text)
        command += ["--config", str(config_path)]
    log_path = tmp / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    for variable, value in SUITE_ENV.items():  # a key the test's configuration sets wins
        if config_text is None or variable.rpartition("__")[2].lower() not in config_text:
            env[variable] = value
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, log_path, process, accounts)
    try:
        wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
