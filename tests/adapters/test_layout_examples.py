"""The deployment layouts of docs/failover.md ("Databases"): each example in
``config/examples/`` loads, keeps a journal per node, and starts for real.

The started nodes take the example file as it is, except for what a test on a
shared machine must choose itself: free ports (``--port`` and the peer's URL, the
witness's URL), the data directories, and the PostgreSQL URLs, which point at fresh
databases of the scratch server (``tests/adapters/conftest.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from frontdesk.adapters.client.http import login as http_login
from frontdesk.config.loader import load_settings
from tests.adapters.test_journal_identity import Node, scratch_database
from tests.failover.failover_procs import CHEAP_HASHING, NodeProc, free_port, wait_health

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "config" / "examples"
LAYOUTS = ("cluster-shared-accounts", "cluster-replicated-accounts")
PASSWORD = "a long enough password 1"


def example(name: str) -> Path:
    return EXAMPLES / f"{name}.toml"


def test_every_example_loads_and_each_node_has_a_journal_of_its_own() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.toml")) == sorted(
        ["single-sqlite", "single-postgres",
         *(f"{layout}-{n}" for layout in LAYOUTS for n in "ab")])
    on_file = load_settings(example("single-sqlite"), {})
    assert on_file.storage.database_url == "sqlite:///data/single/journal.sqlite3"
    assert on_file.storage.accounts_url == "sqlite:///data/single/accounts.sqlite3"
    single = load_settings(example("single-postgres"), {})
    assert single.storage.database_url.startswith("postgresql://")
    assert single.storage.accounts_url == single.storage.database_url
    for layout in LAYOUTS:
        a, b = (load_settings(example(f"{layout}-{n}"), {}) for n in "ab")
        assert (a.cluster.node_name, b.cluster.node_name) == ("a", "b")
        assert (a.cluster.role, b.cluster.role) == ("primary", "backup")
        assert a.storage.database_url != b.storage.database_url  # a journal per node
        assert a.storage.data_dir != b.storage.data_dir
        assert a.cluster.peer_url == b.cluster.advertise_url
        assert b.cluster.peer_url == a.cluster.advertise_url
        shared = a.storage.accounts_url == b.storage.accounts_url
        assert shared == (layout == "cluster-shared-accounts")


class Procs:
    """The processes a test started, each logging to a file; all stopped at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        with open(self.tmp / f"{name}.log", "ab") as log:
            self.started.append(subprocess.Popen(
                [sys.executable, "-m", "frontdesk.web.cli", *args],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            ))

    def stop(self) -> list[int]:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.started:
            try:
                codes.append(proc.wait(timeout=30))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait(timeout=10))
        return codes


def base_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env.update({**CHEAP_HASHING, "PYTHONPATH": str(ROOT), "NEW_PASSWORD": PASSWORD,
                "FRONTDESK_CLUSTER__SECRET": "layout-test-secret"})
    env.update({f"FRONTDESK_{k.upper()}": v for k, v in settings.items()})
    return env


def add_user(config: Path, data_dir: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "frontdesk.web.cli", "user", "--config", str(config),
         "--data-dir", str(data_dir), "add", "ann", "--name", "Ann",
         "--password-env", "NEW_PASSWORD"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["single-sqlite", "single-postgres"])
async def test_the_single_node_example_serves(name: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        env = base_env()
        if name == "single-postgres":
            env = base_env(storage__database_url=stack.enter_context(scratch_database()))
        add_user(example(name), tmp_path / "single", env)
        node = await Node.start(env, tmp_path / "single", "--config", str(example(name)))
        try:
            await http_login(node.url, "ann", PASSWORD)  # the accounts of the example's layout
        finally:
            assert await node.stop() == 0, node.output.decode()


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
async def test_the_cluster_example_starts_and_the_backup_catches_up(
    layout: str, tmp_path: Path
) -> None:
    procs = Procs(tmp_path)
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        if layout == "cluster-shared-accounts":
            urls = {"journal_a": stack.enter_context(scratch_database()),
                    "journal_b": stack.enter_context(scratch_database()),
                    "accounts": stack.enter_context(scratch_database())}
        ports = {"a": free_port(), "b": free_port(), "witness": free_port()}
        procs.start("witness", ["witness", "--port", str(ports["witness"]),
                                "--state", str(tmp_path / "witness.json")], base_env())
        nodes = {}
        try:
            for n, peer in (("a", "b"), ("b", "a")):
                settings = {"cluster__peer_url": f"http://127.0.0.1:{ports[peer]}",
                            "cluster__witness_url": f"ws://127.0.0.1:{ports['witness']}/"}
                if urls:
                    settings.update(storage__database_url=urls[f"journal_{n}"],
                                    storage__accounts_url=urls["accounts"])
                env = base_env(**settings)
                config = example(f"{layout}-{n}")
                if n == "a":
                    add_user(config, tmp_path / n, env)
                procs.start(n, ["serve", "--config", str(config), "--data-dir",
                                str(tmp_path / n), "--port", str(ports[n])], env)
                nodes[n] = NodeProc(n, ports[n], ports[peer], tmp_path / n, "")
                if n == "a":
                    await wait_health(nodes["a"], lambda h: h["ready"], timeout=60)
            await wait_health(nodes["a"], lambda h: h["link"] == "up" and h["caught_up"],
                              timeout=60)
            if layout == "cluster-shared-accounts":
                await http_login(nodes["b"].url, "ann", PASSWORD)  # one accounts database
        finally:
            codes = procs.stop()
            logs = {p.stem: p.read_text(errors="replace") for p in tmp_path.glob("*.log")}
            assert codes[1:] == [0, 0], logs  # both nodes stopped cleanly (the witness: SIGTERM)
