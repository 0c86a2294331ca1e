"""``python -m bench.failover``: failover time over repeated kills, p50/p99.

A witness and two ``frontdesk`` cluster nodes run as processes on loopback
(``python -m web.cli serve`` with the cluster flags). Each round: visitors talk to the
primary; the primary is killed with SIGKILL; the round measures

* ``detect+promote``: kill -> the survivor reports ``ready`` on ``/api/cluster``;
* ``first dialog``: kill -> a new visitor's ``open`` is acknowledged by the
  survivor (a probe client retrying every 0.1-0.2 s);

then the killed node is restarted, rejoins as backup and catches up, and the
next round kills the other one. Options: ``--rounds N`` (default 5),
``--mode sync|async``, ``--failover-timeout-s``, ``--lease-s``, ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import trio

from adapters.client import Backoff, VisitorClient, get_json
from adapters.client.http import ClientError

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Bench:
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
        )

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def spawn(self, name: str, argv: list[str]) -> None:
        with open(self.work / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", *argv],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
            )

    def start_witness(self) -> None:
        self.spawn(
            "witness",
            [
                "adapters.witness",
                "--port",
                str(self.witness_port),
                "--state",
                str(self.work / "witness.json"),
            ],
        )

    def start_node(self, name: str, role: str) -> None:
        peer = "b" if name == "a" else "a"
        self.spawn(
            name,
            [
                "web.cli", "serve",
                "--port",
                str(self.ports[name]),
                "--data-dir",
                str(self.work / name),
                "--role",
                role,
                "--node-name",
                name,
                "--mode",
                self.args.mode,
                "--primary",
                self.url(peer),
                "--witness",
                f"ws://127.0.0.1:{self.witness_port}/",
                "--log-level",
                "WARNING",
            ],
        )

    async def health(self, name: str) -> dict[str, Any] | None:
        try:
            with trio.move_on_after(1.0):
                got = await get_json(f"{self.url(name)}/api/cluster")
                return got if isinstance(got, dict) else None
        except (ClientError, OSError, ValueError):
            return None
        return None

    async def wait(self, name: str, pred: Any, timeout: float = 60.0) -> dict[str, Any]:
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
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


async def one_round(bench: Bench, primary: str, backup: str, talkers: int) -> dict[str, float]:
    urls = [bench.url(primary), bench.url(backup)]
    stop = trio.Event()

    async def talk(client: VisitorClient) -> None:
        await client.open("bench", timeout=30)
        while not stop.is_set():
            await client.say("hello", timeout=30)

    async with trio.open_nursery() as nursery:
        clients = [VisitorClient(urls) for _ in range(talkers)]
        for c in clients:
            await nursery.start(c.run)
        async with trio.open_nursery() as talking:
            for c in clients:
                talking.start_soon(talk, c)
            await trio.sleep(0.5)  # load running before the kill (a duration, not a wait)
            os.kill(bench.procs[primary].pid, signal.SIGKILL)
            t0 = trio.current_time()
            bench.procs[primary].wait()
            probe = VisitorClient([bench.url(backup)], backoff=Backoff(base_s=0.1, max_s=0.2))
            await nursery.start(probe.run)

            async def ready() -> float:
                await bench.wait(backup, lambda h: h["ready"], 30)
                return trio.current_time() - t0

            promoted = await ready()
            await probe.open("first", timeout=30)
            first = trio.current_time() - t0
            stop.set()
        for c in [*clients, probe]:
            await c.aclose()
    return {"detect+promote": promoted, "first dialog": first}


async def run(args: argparse.Namespace, work: Path) -> list[dict[str, float]]:
    bench = Bench(work, args)
    rounds: list[dict[str, float]] = []
    try:
        bench.start_witness()
        bench.start_node("a", "primary")
        await bench.wait("a", lambda h: h["ready"])
        bench.start_node("b", "backup")
        primary, backup = "a", "b"
        for i in range(args.rounds):
            await bench.wait(primary, lambda h: h["ready"] and h["caught_up"], 60)
            await bench.wait(backup, lambda h: h["role"] == "backup" and h["caught_up"], 60)
            result = await one_round(bench, primary, backup, args.talkers)
            rounds.append(result)
            print(
                f"round {i + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in result.items()),
                flush=True,
            )
            bench.start_node(primary, "backup")  # the killed node comes back as backup
            primary, backup = backup, primary
    finally:
        bench.stop()
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--talkers", type=int, default=10)
    parser.add_argument("--mode", choices=("sync", "async"), default="sync")
    parser.add_argument("--failover-timeout-s", type=float, default=1.5)
    parser.add_argument("--lease-s", type=float, default=1.2)
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="frontdesk-failover-"))
    rounds = trio.run(run, args, work)
    print(
        f"\nfailover over {len(rounds)} kills (mode {args.mode}, failover_timeout_s "
        f"{args.failover_timeout_s}, lease_s {args.lease_s}):"
    )
    for key in ("detect+promote", "first dialog"):
        values = [r[key] for r in rounds]
        print(
            f"  {key:<15} p50 {statistics.median(values):.3f} s   "
            f"p99 {percentile(values, 99):.3f} s   max {max(values):.3f} s"
        )
    if args.keep:
        print(f"logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
