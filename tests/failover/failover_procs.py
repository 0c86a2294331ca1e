"""Real processes for the failover tests: a witness and two ``frontdesk`` nodes on loopback.

A node is ``python -m frontdesk.web.cli serve`` with the cluster flags (the cluster path of
``frontdesk serve``); readiness and roles are read from its ``/api/cluster``.
Waiting on another process can only be done by asking it: ``wait_health``
polls every 50 ms until a predicate holds or the timeout passes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from frontdesk.adapters.client import get_json
from frontdesk.adapters.client.http import ClientError
from frontdesk.adapters.testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]

CHEAP_HASHING = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
    "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
}


@dataclass
class NodeProc:
    name: str
    port: int
    peer_port: int
    data_dir: Path
    role: str
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    peer_url: str = ""  # default: the other node's own URL
    advertise_url: str = ""  # default: this node's own URL
    secret: str | None = None  # default: the cluster's; "" starts it without one

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class ProcCluster:
    tmp: Path
    mode: str = "sync"
    timings: dict[str, str] = field(default_factory=dict)
    witness: subprocess.Popen[bytes] | None = None
    witness_port: int = 0
    nodes: dict[str, NodeProc] = field(default_factory=dict)

    secret: str = "test-secret"
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. FRONTDESK_MAIL__HOST

    def env(self, secret: str | None = None) -> dict[str, str]:
        env = dict(os.environ, **CHEAP_HASHING)
        env.update(self.extra_env)
        env.update({f"FRONTDESK_CLUSTER__{k.upper()}": v for k, v in self.timings.items()})
        env["FRONTDESK_CLUSTER__SECRET"] = self.secret if secret is None else secret
        return env

    def start_witness(self) -> None:
        self.witness_port = self.witness_port or free_port()
        log = open(self.tmp / "witness.log", "ab")  # noqa: SIM115 - closed with the process
        self.witness = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "frontdesk.adapters.witness",
                "--port",
                str(self.witness_port),
                "--state",
                str(self.tmp / "witness.json"),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env(),
        )
        log.close()

    def add(self, name: str, role: str) -> NodeProc:
        others = [n for n in self.nodes.values()]
        port = free_port()
        node = NodeProc(name, port, 0, self.tmp / name, role)
        for other in others:
            other.peer_port, node.peer_port = port, other.port
        self.nodes[name] = node
        return node

    def start(self, name: str) -> NodeProc:
        node = self.nodes[name]
        node.log_path = self.tmp / f"{name}.log"
        log = open(node.log_path, "ab")  # noqa: SIM115 - closed with the process
        node.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "frontdesk.web.cli", "serve",
                "--port",
                str(node.port),
                "--data-dir",
                str(node.data_dir),
                "--role",
                node.role,
                "--node-name",
                name,
                "--mode",
                self.mode,
                "--primary",
                node.peer_url or f"http://127.0.0.1:{node.peer_port}",
                "--advertise-url",
                node.advertise_url or node.url,
                "--witness",
                f"ws://127.0.0.1:{self.witness_port}/",
                "--log-level",
                "INFO",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env(node.secret),
        )
        log.close()
        return node

    def signal(self, name: str, sig: signal.Signals) -> None:
        proc = self.nodes[name].proc
        assert proc is not None
        os.kill(proc.pid, sig)
        if sig == signal.SIGKILL:
            proc.wait(timeout=10)

    def log_of(self, name: str) -> str:
        path = self.nodes[name].log_path
        return path.read_text(errors="replace") if path is not None and path.exists() else ""

    def stop_all(self) -> None:
        procs = [n.proc for n in self.nodes.values() if n.proc is not None]
        if self.witness is not None:
            procs.append(self.witness)
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGCONT)
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


async def health(node: NodeProc) -> dict[str, Any] | None:
    try:
        with trio.move_on_after(1.0):
            got = await get_json(f"{node.url}/api/cluster")
            return got if isinstance(got, dict) else None
    except (ClientError, OSError, ValueError):
        return None
    return None


async def wait_health(
    node: NodeProc, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0
) -> dict[str, Any]:
    """Poll ``/api/cluster`` every 50 ms until ``predicate(health)`` holds.

    A node whose process has ended fails the wait at once, with its exit code and the
    end of its log.
    """
    last: dict[str, Any] | None = None
    with trio.move_on_after(timeout):
        while True:
            last = await health(node)
            if last is not None and predicate(last):
                return last
            if node.proc is not None and node.proc.poll() is not None:
                raise AssertionError(
                    f"node {node.name} stopped before reaching the expected state; "
                    f"{whereabouts(node)}"
                )
            await trio.sleep(0.05)
    raise AssertionError(
        f"node {node.name} never reached the expected state; last: {last}; {whereabouts(node)}"
    )


def whereabouts(node: NodeProc) -> str:
    """Whether the node's process still runs, and how its log ends (why it never answered)."""
    if node.proc is None:
        return "never started"
    code = node.proc.poll()
    state = "still running" if code is None else f"exited with {code}"
    log = node.log_path.read_text(errors="replace") if node.log_path else ""
    tail = "\n".join(log.splitlines()[-15:])
    return f"port {node.port}, {state}; its log ends:\n{tail}"


async def start_pair(cl: ProcCluster) -> tuple[NodeProc, NodeProc]:
    """A witness, primary a and backup b, returned once b is linked and caught up and the
    witness knows it as a's standby in sync (before that, a kill of a promotes nobody:
    "no standby in sync", as a test that killed a at once found)."""
    cl.start_witness()
    a = cl.add("a", "primary")
    b = cl.add("b", "backup")
    cl.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cl.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"]
                      and h["witness_standby"] == "b", timeout=60)
    return a, b
