"""The processes of ``bench.failover``: a witness and two cluster nodes on loopback.

``FailoverCluster`` spawns ``python -m frontdesk.adapters.witness`` and
``python -m frontdesk.web.cli serve`` with short, bench-sized timings, asks each node's
``/api/cluster``, and can prepare both data directories with the same pre-filled journal
(``bench.journal_fill``) and a checkpoint of it, so a node starts at a large journal size
without a websocket or an actor having written it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import trio

from bench.journal_fill import fill
from frontdesk.adapters.client import get_json
from frontdesk.adapters.client.http import ClientError
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore, start_state
from frontdesk.adapters.testing.ports import free_port
from frontdesk.engine import checkpoint
from frontdesk.engine.checkpoint import CheckpointError
from frontdesk.engine.replay import Fold
from frontdesk.engine.settings import EngineSettings

ROOT = Path(__file__).resolve().parents[1]


def prepared_journal(cache: Path, records: int) -> Path:
    """A data directory holding a journal of about ``records`` records and its checkpoint
    (made once per size under ``cache``, then reused)."""
    folder = cache / f"journal-{records}"
    if (folder / "done").exists():
        if not checkpoint_current(folder / "checkpoints"):
            refresh_checkpoint(folder)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    journal = SqlJournal(folder / "journal.sqlite3", synchronous="normal")
    state = Fold(EngineSettings().default_capacity)
    try:
        fill(journal, records, open_dialogs=20, into=state)
    finally:
        journal.close()
    CheckpointStore(folder / "checkpoints").write(checkpoint.encode(state))
    (folder / "done").write_text(str(state.last_seq))
    return folder


def checkpoint_current(directory: Path) -> bool:
    """The newest checkpoint in ``directory`` is of today's format and state schema (a
    cached one made before a state class changed is not: each node would replay the
    whole journal at its first start, 30 s or more for 1M records)."""
    paths = CheckpointStore(directory).paths()
    if not paths:
        return False
    try:
        checkpoint.read_header(paths[0].read_bytes())
    except CheckpointError:
        return False
    return True


def refresh_checkpoint(folder: Path) -> None:
    """Replace the cached journal's checkpoint by one of today's schema (one full replay)."""
    journal = SqlJournal(folder / "journal.sqlite3", synchronous="normal")
    try:
        state, _ = start_state(None, journal, EngineSettings().default_capacity)
    finally:
        journal.close()
    store = CheckpointStore(folder / "checkpoints")
    for old in store.paths():
        old.unlink()
    store.write(checkpoint.encode(state))


class FailoverCluster:
    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work = work
        self.args = args
        self.ports = {"a": free_port(), "b": free_port()}
        self.witness_port = free_port()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.env = dict(
            os.environ,
            FRONTDESK_ACCOUNTS__ARGON2_TIME_COST="1",
            FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB="8192",
            FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM="1",
            FRONTDESK_CLUSTER__SECRET="bench",
            FRONTDESK_CLUSTER__FAILOVER_TIMEOUT_S=str(args.failover_timeout_s),
            FRONTDESK_CLUSTER__LEASE_S=str(args.lease_s),
            FRONTDESK_SERVER__RATE_LIMIT_PER_S="1000",
            FRONTDESK_SERVER__RATE_LIMIT_BURST="1000",
        )

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def data_dir(self, name: str) -> Path:
        return self.work / name

    def seed(self, source: Path) -> None:
        """Both nodes start on a copy of ``source`` (a journal and its checkpoint)."""
        for name in ("a", "b"):
            shutil.copytree(source, self.data_dir(name), ignore=shutil.ignore_patterns("done"))

    def spawn(self, name: str, argv: list[str]) -> None:
        with open(self.work / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", *argv], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env=self.env,
            )

    def start_witness(self) -> None:
        state = str(self.work / "witness.json")
        self.spawn("witness", ["frontdesk.adapters.witness", "--port", str(self.witness_port),
                               "--state", state])

    def start_node(self, name: str, role: str) -> None:
        peer = "b" if name == "a" else "a"
        self.spawn(name, [
            "frontdesk.web.cli", "serve", "--port", str(self.ports[name]),
            "--data-dir", str(self.data_dir(name)), "--role", role, "--node-name", name,
            "--mode", self.args.mode, "--primary", self.url(peer),
            "--witness", f"ws://127.0.0.1:{self.witness_port}/", "--log-level", "INFO",
        ])

    def kill(self, name: str, sig: int) -> None:
        os.kill(self.procs[name].pid, sig)

    async def health(self, name: str) -> dict[str, Any] | None:
        try:
            with trio.move_on_after(1.0):
                got = await get_json(f"{self.url(name)}/api/cluster")
                return got if isinstance(got, dict) else None
        except (ClientError, OSError, ValueError):
            return None
        return None

    async def wait(self, name: str, pred: Any, timeout: float = 60.0) -> dict[str, Any]:
        """Poll ``/api/cluster`` every 20 ms until ``pred(health)`` holds."""
        with trio.fail_after(timeout):
            while True:
                h = await self.health(name)
                if h is not None and pred(h):
                    return h
                await trio.sleep(0.02)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
