"""The suite's side of its child processes: servers and load generators.

Every wait is bounded; every child is ended by its own pid (SIGTERM, then
SIGKILL after a grace period).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ChildError(Exception):
    """A child process failed, said something unexpected, or was too slow."""


class Child:
    """A child speaking JSON lines on stdout (and reading them on stdin)."""

    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.started_ns = time.monotonic_ns()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            cwd=ROOT, env=full_env,
        )
        self.pid = self.proc.pid
        self._buffer = b""

    def send(self, cmd: str, **fields: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **fields}) + "\n").encode())
        self.proc.stdin.flush()

    def readline(self, timeout_s: float) -> str:
        """The next stdout line; ChildError on timeout or exit."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildError(f"{self.name}: no output within {timeout_s} s ({self.tail()})")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = self.proc.wait(timeout=5)
                    raise ChildError(f"{self.name} exited with {code}: {self.tail()}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def expect(self, event: str, timeout_s: float) -> dict[str, Any]:
        """The next JSON event; it must be ``event`` (a ``failed`` event raises)."""
        while True:
            line = self.readline(timeout_s)
            if not line.startswith("{"):
                continue  # a server's own chatter
            message: dict[str, Any] = json.loads(line)
            if message.get("event") == event:
                return message
            if message.get("event") == "failed":
                error, errors = message.get("error"), message.get("errors")
                raise ChildError(f"{self.name} failed: {error} {errors}")
            raise ChildError(f"{self.name}: expected {event!r}, got {message!r}")

    def tail(self, chars: int = 1500) -> str:
        self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, grace_s: float = 10.0) -> int | None:
        """SIGTERM, wait, SIGKILL; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self._log.close()
        return self.proc.returncode


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def loadgen(name: str, spec: dict[str, Any], log_dir: Path) -> Child:
    return Child(name, python_argv("-m", "bench.loadgen", json.dumps(spec)), log_dir, {})


def run_loadgens(
    specs: list[dict[str, Any]], log_dir: Path, timeout_s: float, start_delay_s: float = 0.5,
    on_ready: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Start a load generator per spec, set them up one after another, start them together.

    Returns each one's ``result`` event. Set-up is sequential so that a frontdesk
    server assigns each process's dialogs to that process's operators. ``on_ready``
    runs once every one is set up, before they start.
    """
    children = [loadgen(f"loadgen-{i}-{s['scenario']}", s, log_dir) for i, s in enumerate(specs)]
    try:
        for child in children:
            child.send("setup")
            child.expect("ready", timeout_s)
        if on_ready is not None:
            on_ready()
        start_ns = time.monotonic_ns() + int(start_delay_s * 1e9)
        for child in children:
            child.send("go", start_ns=start_ns)
        results = [child.expect("result", timeout_s) for child in children]
        for child in children:
            child.send("stop")
        return results
    finally:
        for child in children:
            child.stop(grace_s=5)
