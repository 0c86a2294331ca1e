"""Starting the two servers under test: the floor relay and ``frontdesk serve``."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio
from trio_websocket import open_websocket_url

from bench.procs import Child, ChildError, python_argv
from frontdesk.adapters.testing.ports import free_port

READY_TIMEOUT_S = 30.0


@dataclass
class Server:
    child: Child
    port: int
    ready_s: float  # from spawn to ready

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.child.pid

    def stop(self) -> int | None:
        return self.child.stop()


def start_floor(log_dir: Path, env: dict[str, str] | None = None,
                durable: Path | None = None) -> Server:
    """The floor relay; with ``durable``, the durable floor writing to that SQLite file."""
    argv = python_argv("-m", "bench.floor", *(["--durable", str(durable)] if durable else []))
    child = Child("durable-floor" if durable else "floor", argv, log_dir, env or {})
    try:
        ready = child.expect("ready", READY_TIMEOUT_S)
    except ChildError:
        child.stop()
        raise
    return Server(child, int(ready["port"]), (time.monotonic_ns() - child.started_ns) / 1e9)


def http_get(url: str, timeout_s: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def start_frontdesk(
    log_dir: Path, data_dir: Path, env: dict[str, str], name: str = "frontdesk"
) -> Server:
    """``frontdesk serve`` (through ``bench.serve``); ready when ``/healthz`` says so."""
    port = free_port()
    argv = python_argv(
        "-m", "bench.serve", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--data-dir", str(data_dir),
    )
    child = Child(name, argv, log_dir, env)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if child.proc.poll() is not None:
            raise ChildError(f"{name} exited with {child.proc.returncode}: {child.tail()}")
        try:
            status, body = http_get(f"http://127.0.0.1:{port}/healthz", timeout_s=1.0)
            if status == 200 and json.loads(body).get("ready"):
                break
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            child.stop()
            raise ChildError(f"{name} not ready within {READY_TIMEOUT_S} s: {child.tail()}")
        time.sleep(0.01)  # polling an external process's readiness: nothing to wait on
    return Server(child, port, (time.monotonic_ns() - child.started_ns) / 1e9)


def metrics(server: Server) -> str:
    status, body = http_get(f"http://{server.base}/metrics")
    if status != 200:
        raise ChildError(f"GET /metrics answered {status}: {body[:200]}")
    return body


def floor_stats(server: Server) -> dict[str, Any]:
    """Ask the floor for its stats frame (RSS, GC pauses) over a websocket."""

    async def ask() -> dict[str, Any]:
        async with open_websocket_url(f"ws://{server.base}/") as ws:
            await ws.send_message(json.dumps({"type": "stats"}))
            with trio.fail_after(10):
                reply: dict[str, Any] = json.loads(await ws.get_message())
                return reply

    return trio.run(ask)
