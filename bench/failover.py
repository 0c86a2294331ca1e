"""``python -m bench.failover``: kill -9 the primary under talking dialogs, round after round.

A witness and two ``frontdesk`` cluster nodes run as processes on loopback
(``bench/failover_cluster.py``), optionally both started on a pre-filled journal of
``--journal-records`` records (made straight through the journal port, with a
checkpoint, and cached under ``bench/results/runs/``). ``--dialogs`` visitors talk the
whole time (one message every ``--pace-s`` each, through the Python client, which
follows the failover by itself). Each round kills the primary with SIGKILL and measures

* ``serving (node clock)``: kill -> the survivor's engine started as primary, by the
  node's own ``time.monotonic()`` (the system-wide clock; reported in ``/api/cluster``
  ``standby.engine_started_monotonic``), so not delayed by this busy client process;
* ``accepts writes``: kill -> the survivor's ``/api/cluster`` says ``accepts_writes``
  (as polled from here, every 20 ms, by a process that also drives the visitors);
* ``first dialog``: kill -> a new visitor's ``open`` is acknowledged by the survivor;
* ``client recovery``: kill -> each talking visitor's first acknowledged message after it;

then restarts the killed node (it rejoins as backup and catches up) and kills the other
one next. At the end every acknowledged message is checked against the last primary's
journal, and every client's view against it (``bench/failover_check.py``): lost,
duplicated, reordered, hidden. The report goes to stdout and, as JSON, to ``--out``
(default ``bench/results/runs/failover-<mode>-<records>-<time>.json``).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from bench.failover_check import check, durable_messages
from bench.failover_cluster import ROOT, FailoverCluster, prepared_journal
from frontdesk.adapters.client import Backoff, VisitorClient
from frontdesk.adapters.client.http import ClientError

RUNS = ROOT / "bench" / "results" / "runs"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def progress(what: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


@dataclass
class Talker:
    index: int
    client: VisitorClient
    dialog: str = ""
    acked: list[str] = field(default_factory=list)
    errors: int = 0
    killed_at: float | None = None
    recovered: float | None = None

    async def talk(self, stop: trio.Event, pace_s: float) -> None:
        self.dialog = str((await self.client.open(f"bench {self.index}", timeout=60))["dialog"])
        n = 0
        while not stop.is_set():
            text = f"v{self.index} m{n}"
            n += 1
            try:
                await self.client.say(text, timeout=30)
            except ClientError:
                self.errors += 1  # not acknowledged: not counted either way
                continue
            self.acked.append(text)
            if self.killed_at is not None and self.recovered is None:
                self.recovered = trio.current_time() - self.killed_at
            await trio.sleep(pace_s)  # the offered load: one message per pace_s


async def one_round(cluster: FailoverCluster, primary: str, backup: str,
                    talkers: list[Talker]) -> dict[str, Any]:
    cluster.kill(primary, signal.SIGKILL)
    t0 = trio.current_time()
    killed_monotonic = time.monotonic()  # the clock the nodes report their engine start in
    for t in talkers:
        t.killed_at, t.recovered = t0, None
    cluster.procs[primary].wait()
    times: dict[str, float] = {}
    async with trio.open_nursery() as nursery:
        probe = VisitorClient([cluster.url(backup)], backoff=Backoff(base_s=0.05, max_s=0.1))
        await nursery.start(probe.run)

        async def accepts_writes() -> None:
            await cluster.wait(backup, lambda h: h["accepts_writes"], 60)
            times["accepts writes"] = trio.current_time() - t0

        async def first_dialog() -> None:
            await probe.open("first", timeout=60)
            times["first dialog"] = trio.current_time() - t0

        async with trio.open_nursery() as measuring:
            measuring.start_soon(accepts_writes)
            measuring.start_soon(first_dialog)
        await probe.aclose()  # (its run task ends with it, and so does this nursery)
    progress(f"kill {primary}: {times}")
    with trio.move_on_after(60):
        while any(t.recovered is None for t in talkers):
            await trio.sleep(0.05)
    progress("clients recovered" if all(t.recovered for t in talkers) else "not all recovered")
    health = await cluster.health(backup) or {}
    standby = health.get("standby") or {}
    started = standby.get("engine_started_monotonic")
    if isinstance(started, float):  # as the node saw it, not delayed by this busy process
        times["serving (node clock)"] = started - killed_monotonic
    recovery = [t.recovered for t in talkers if t.recovered is not None]
    return {
        **{k: round(v, 3) for k, v in times.items()},
        "client recovery": summary(recovery),
        "not recovered": sum(1 for t in talkers if t.recovered is None),
        "replayed at promotion": standby.get("replayed_at_promotion"),
        "epoch": health.get("epoch"),
    }


def client_views(
    talkers: list[Talker],
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, int], int]:
    """Each dialog's messages as its client shows them, its last seq, and the entries the
    clients dropped on a ``dialog.discontinuity``."""
    views = {t.dialog: [(int(f["seq"]), str(f.get("text"))) for f in
                        t.client.entries.get(t.dialog, []) if f.get("type") == "dialog.message"]
             for t in talkers}
    reached = {t.dialog: t.client.last_seq.get(t.dialog, 0) for t in talkers}
    return views, reached, sum(len(t.client.dropped) for t in talkers)


async def settled_pair(cluster: FailoverCluster, timeout: float = 900) -> tuple[str, str]:
    """(primary, backup) once one node accepts writes and the other is its backup, caught
    up, link up, known to the witness as the standby in sync (which one is primary is
    read, not assumed: a lease may move by itself)."""
    with trio.fail_after(timeout):
        while True:
            h = {name: await cluster.health(name) for name in ("a", "b")}
            for p, b in (("a", "b"), ("b", "a")):
                hp, hb = h[p], h[b]
                if hp and hb and hp["accepts_writes"] and hb["role"] == "backup" \
                        and hb["caught_up"] and hb["link"] == "up" \
                        and hp.get("witness_standby") == b:  # a kill now promotes b
                    return p, b
            await trio.sleep(0.05)


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    cluster = FailoverCluster(work, args)
    if args.journal_records:
        cluster.seed(prepared_journal(RUNS, args.journal_records))
    rounds: list[dict[str, Any]] = []
    rounds_note: list[str] = []
    talkers: list[Talker] = []
    stop = trio.Event()
    primary, backup = "a", "b"
    try:
        cluster.start_witness()
        cluster.start_node("a", "primary")
        await cluster.wait("a", lambda h: h["ready"], 600)
        cluster.start_node("b", "backup")
        urls = [cluster.url("a"), cluster.url("b")]
        async with trio.open_nursery() as nursery:
            progress(f"{args.dialogs} visitors connecting")
            for i in range(args.dialogs):
                client = VisitorClient(urls, ping_interval_s=0.5, ping_timeout_s=1.5,
                                       connect_timeout_s=2.0)
                await nursery.start(client.run)
                talkers.append(Talker(i, client))
            async with trio.open_nursery() as talking:
                for t in talkers:
                    talking.start_soon(t.talk, stop, args.pace_s)
                for i in range(args.rounds):
                    progress(f"round {i + 1}: waiting for a primary and its backup in sync")
                    try:
                        primary, backup = await settled_pair(cluster, args.settle_timeout_s)
                    except trio.TooSlowError:
                        wedged = {n: await cluster.health(n) for n in ("a", "b")}
                        progress(f"no primary with a backup in sync: {json.dumps(wedged)}")
                        rounds_note.append(f"stopped before round {i + 1}: no primary with a "
                                           f"backup in sync within {args.settle_timeout_s} s")
                        break
                    await trio.sleep(args.load_s)  # load running before the kill (a duration)
                    try:
                        result = await one_round(cluster, primary, backup, talkers)
                    except (ClientError, trio.TooSlowError) as e:  # a round that could not
                        result = {"failed": repr(e)[:300]}  # be measured: said, not hidden
                    result["killed"] = primary
                    rounds.append(result)
                    print(f"round {i + 1}: {json.dumps(result)}", flush=True)
                    cluster.start_node(primary, "backup")  # the killed node rejoins
                    primary, backup = backup, primary
                stop.set()  # each talker finishes the say it is in, then stops
            views, reached, dropped = client_views(talkers)
            for t in talkers:
                await t.client.aclose()
            nursery.cancel_scope.cancel()
    finally:
        cluster.stop()
    durable = durable_messages(cluster.data_dir(primary) / "journal.sqlite3")
    verdict = check({t.dialog: t.acked for t in talkers}, views, reached, durable)
    verdict["dropped by discontinuities"] = dropped
    verdict["say errors"] = sum(t.errors for t in talkers)
    return {"rounds": rounds, "check": verdict, "notes": rounds_note}


def write_watch_stepdowns(work: Path) -> int:
    """The write watch's step-downs (write_watch.py) in both nodes' logs, all runs: a
    primary that accepted no write past its bound; each one is a wedge to look into."""
    return sum(
        log.read_text(errors="replace").count("with nothing in progress: stepping down")
        for log in work.glob("*.log")
    )


def report(args: argparse.Namespace, result: dict[str, Any]) -> dict[str, Any]:
    rounds = result["rounds"]
    recovery = [r["client recovery"]["max"] for r in rounds
                if (r.get("client recovery") or {}).get("n")]
    return {
        "command": "python -m bench.failover " + " ".join(sys.argv[1:]),
        "config": {
            "mode": args.mode, "rounds": args.rounds, "dialogs": args.dialogs,
            "pace_s": args.pace_s, "journal_records": args.journal_records,
            "failover_timeout_s": args.failover_timeout_s, "lease_s": args.lease_s,
        },
        "accepts writes": summary([r["accepts writes"] for r in rounds if "accepts writes" in r]),
        "serving (node clock)": summary(
            [r["serving (node clock)"] for r in rounds if "serving (node clock)" in r]
        ),
        "first dialog": summary([r["first dialog"] for r in rounds if "first dialog" in r]),
        "client recovery (all clients back, per round)": summary(recovery),
        "replayed at promotion": [r.get("replayed at promotion") for r in rounds],
        "check": result["check"],
        "notes": result["notes"],
        "rounds": rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--dialogs", type=int, default=200)
    parser.add_argument("--pace-s", type=float, default=0.5,
                        help="each visitor says one message every PACE seconds")
    parser.add_argument("--load-s", type=float, default=2.0,
                        help="talking time before each kill")
    parser.add_argument("--journal-records", type=int, default=10_000)
    parser.add_argument("--mode", choices=("sync", "async"), default="sync")
    parser.add_argument("--failover-timeout-s", type=float, default=1.5)
    parser.add_argument("--lease-s", type=float, default=1.2)
    parser.add_argument("--settle-timeout-s", type=float, default=180.0,
                        help="stop the run when no primary has a backup in sync this long")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="frontdesk-failover-"))
    ran = trio.run(run, args, work)
    ran["check"]["write watch step-downs"] = write_watch_stepdowns(work)
    result = report(args, ran)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or RUNS / f"failover-{args.mode}-{args.journal_records}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nfailover over {len(result['rounds'])} kills (mode {args.mode}, "
          f"{args.dialogs} talking dialogs, journal {args.journal_records} records):")
    keys = ("serving (node clock)", "accepts writes", "first dialog",
            "client recovery (all clients back, per round)")
    for key in keys:
        s = result[key]
        print(f"  {key:<46} p50 {s.get('p50')} s  p99 {s.get('p99')} s  max {s.get('max')} s")
    c = result["check"]
    print(f"  acknowledged {c['acked']}: lost {c['lost']}, duplicated {c['duplicated']}, "
          f"reordered {c['reordered']}, hidden {c['hidden']} "
          f"(dropped by discontinuities {c['dropped by discontinuities']}); "
          f"write watch step-downs {c['write watch step-downs']}")
    print(f"  records replayed at each promotion: {result['replayed at promotion']}")
    for note in result["notes"]:
        print(f"  {note}")
    print(f"report: {out}")
    if args.keep:
        print(f"logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
