"""The measurements of ``python -m bench``; each runs frontdesk and the floor in the same run.

Every measurement starts fresh servers (a new data directory for frontdesk),
runs the same load generator scenario against each, and returns its table
rows (``Figure``) and the details that go to the JSON file.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import (
    history_cost,
    journal_cost,
    knowledge_cost,
    render_cost,
    stages,
    threads,
    upload_cost,
)
from bench.figures import Figure
from bench.procs import loadgen, run_loadgens
from bench.procstat import cpu_s, hwm_kb, rss_kb
from bench.profile import Sampler
from bench.scaled_rate import scaled_rate
from bench.servers import Server, floor_stats, metrics, start_floor, start_frontdesk
from bench.stats import summarize_us
from frontdesk.adapters import gcstats
from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.tuning import (
    ENV_FREEZE,
    ENV_FREEZE_INTERVAL,
    ENV_FULL_INTERVAL,
    ENV_SWITCH,
    ENV_THRESHOLDS,
)

TEXT_LEN = 100  # characters of message text: the same frames for the floor and frontdesk
CAPACITY = 3  # the engine's default operator capacity


@dataclass(frozen=True)
class Sizes:
    relay_pairs: int = 500
    relay_capacity: int = 25  # dialogs per operator in the relay runs (see docs/performance.md)
    window: int = 4
    saturation_warmup_s: float = 1.0
    saturation_s: float = 5.0
    latency_rates: tuple[int, int] = (500, 2000)
    latency_s: float = 10.0
    # latency_scaled: the floor's relay saturation in bench/results/baseline.json (msg/s), the
    # machine on which latency_rates[1] was chosen; that rate is offered at the same fraction
    # of the floor measured now (docs/performance.md, "The instrument")
    latency_reference_floor: float = 14_539.0
    assign_operators: int = 10
    assign_free: int = 30
    assign_freeing: int = 150  # samples of the p99 that has a target: 30 made it the maximum
    scale_visitors: int = 10_000
    scale_operators: int = 300
    scale_capacity: int = 3
    online_counts: tuple[int, ...] = (50, 100, 300)
    online_bound_s: float = 60.0
    scale_procs: int = 2
    probe_rate: float = 50.0
    probe_s: float = 4.0
    startup_runs: int = 3
    tuning_visitors: int = 1_000
    tuning_operators: int = 30
    tuning_latency_s: float = 5.0
    tuning_pairs: int = 100
    tuning_rate: int = 300
    journal_s: float = 2.0
    timeout_s: float = 300.0
    open_bound_s: float = 180.0  # scale: opening stops there (the figure then fails)
    settle_bound_s: float = 60.0


FULL = Sizes()
QUICK = Sizes(
    relay_pairs=30, saturation_warmup_s=0.3, saturation_s=1.0, latency_rates=(100, 200),
    latency_s=1.0, assign_operators=2, assign_free=6, assign_freeing=4, scale_visitors=200,
    scale_operators=10, scale_capacity=3, online_counts=(5, 10), online_bound_s=20.0,
    relay_capacity=3, scale_procs=1, probe_rate=20.0, probe_s=1.0, startup_runs=1,
    tuning_visitors=200, tuning_operators=10, tuning_latency_s=1.0, tuning_pairs=30,
    tuning_rate=200,
    journal_s=0.2, timeout_s=60.0, open_bound_s=60.0, settle_bound_s=30.0,
)


@dataclass
class Context:
    sizes: Sizes
    work_dir: Path
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)  # for both servers (tuning)
    counter: int = 0
    profile: bool = False  # sample every frontdesk server with py-spy
    profiles: list[dict[str, Any]] = field(default_factory=list)
    stages: bool = False  # bench.stages in every frontdesk server: where a message waits
    stage_reports: list[dict[str, Any]] = field(default_factory=list)
    floor_saturation: float | None = None  # msg/s, once measured in this run

    def data_dir(self) -> Path:
        self.counter += 1
        path = self.work_dir / f"data-{self.counter}"
        path.mkdir(parents=True)
        return path


Result = tuple[list[Figure], dict[str, Any]]


# -- servers ------------------------------------------------------------------------------

FRONTDESK_ENV = {
    # the load is the point here: the per-connection rate limit would cap it
    "FRONTDESK_SERVER__RATE_LIMIT_PER_S": "1000000",
    "FRONTDESK_SERVER__RATE_LIMIT_BURST": "1000000",
    gcstats.ENV_FLAG: "1",
}
# Outside the start-up measurement: cheap argon2 for the accounts' dummy hash made at
# start (nothing measured here hashes a password: sessions are made beforehand).
CHEAP_ACCOUNTS_ENV = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
    "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
}


def prepare_operators(data_dir: Path, count: int, capacity: int | None) -> list[str]:
    """Operator accounts and open sessions in the data directory; returns the session tokens.

    ``capacity`` None leaves the engine's default (3).
    """
    tokens = []
    with Accounts(data_dir / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as accounts:
        for i in range(count):
            user = accounts.create_user(
                f"op{i}", f"Operator {i}", "operator", f"bench-pw-{i}!", capacity=capacity
            )
            tokens.append(accounts.new_session(user))
    return tokens


@contextlib.contextmanager
def frontdesk(
    ctx: Context, operators: int, cheap_accounts: bool = True, capacity: int | None = None
) -> Iterator[tuple[Server, list[str]]]:
    data_dir = ctx.data_dir()
    tokens = prepare_operators(data_dir, operators, capacity)
    env = {**FRONTDESK_ENV, **(CHEAP_ACCOUNTS_ENV if cheap_accounts else {}), **ctx.env,
           gcstats.ENV_DUMP: str(data_dir / "gcstats.json")}
    stages_file = data_dir / "stages.json"
    if ctx.stages:
        env[stages.ENV] = str(stages_file)
    name = f"frontdesk-{ctx.counter}"
    server = start_frontdesk(ctx.log_dir, data_dir, env, name=name)
    sampler = Sampler(server.pid, ctx.log_dir / f"{name}.pyspy.txt") if ctx.profile else None
    try:
        yield server, tokens
    finally:
        if sampler is not None:
            ctx.profiles.append({"server": name, **sampler.stop()})
        server.stop()
        if ctx.stages and stages_file.exists():
            ctx.stage_reports.append({"server": name,
                                      "stages": json.loads(stages_file.read_text())})


@contextlib.contextmanager
def floor(ctx: Context, durable: bool = False) -> Iterator[Server]:
    """The floor relay; ``durable``: the durable floor (``bench/durable_log.py``), its
    SQLite file in a new data directory."""
    path = ctx.data_dir() / "floor.sqlite3" if durable else None
    server = start_floor(ctx.log_dir, ctx.env, durable=path)
    try:
        yield server
    finally:
        server.stop()


def split(n: int, parts: int) -> list[tuple[int, int]]:
    """[first, last) index ranges of ``n`` items over ``parts`` processes."""
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


def relay_run(
    ctx: Context, target: str, server: Server, tokens: list[str], scenario: dict[str, Any]
) -> dict[str, Any]:
    """One load generator process over ``relay_pairs`` pairs; returns its result."""
    spec = {
        "target": target, "base": server.base, "capacity": ctx.sizes.relay_capacity,
        "sessions": tokens, "pairs": [0, ctx.sizes.relay_pairs], "text_len": TEXT_LEN,
        **scenario,
    }
    at_start: list[float] = []  # the server's CPU once the clients are connected and set up
    by_thread: list[dict[int, threads.ThreadStat]] = []

    def ready() -> None:
        at_start.append(cpu_s(server.pid))
        by_thread.append(threads.snapshot(server.pid))

    result = run_loadgens([spec], ctx.log_dir, ctx.sizes.timeout_s, on_ready=ready)[0]
    result["server_cpu_s"] = cpu_s(server.pid) - at_start[0]
    result["server_threads_at_end"] = threads.snapshot(server.pid)
    result["server_threads_at_start"] = by_thread[0]
    return result


def both(ctx: Context, scenario: dict[str, Any]) -> dict[str, dict[str, Any]]:
    capacity = ctx.sizes.relay_capacity
    operators = -(-ctx.sizes.relay_pairs // capacity)
    out = {}
    with floor(ctx) as server:
        out["floor"] = relay_run(ctx, "floor", server, [], scenario)
    with frontdesk(ctx, operators, capacity=capacity) as (server, tokens):
        out["frontdesk"] = relay_run(ctx, "frontdesk", server, tokens, scenario)
    return out


def _clean(result: dict[str, Any]) -> dict[str, Any]:
    """A load generator result without its raw samples, with their summaries."""
    out = {k: v for k, v in result.items()
           if k not in {"latencies_us", "event", "server_threads_at_start",
                        "server_threads_at_end"}}
    if "settle" in result:
        out["settle"] = result["settle"]
    if "latencies_us" in result:
        lat = result["latencies_us"]
        if isinstance(lat, dict):
            out["latency"] = {d: summarize_us(v) for d, v in lat.items() if v}
        else:
            out["latency"] = summarize_us(lat)
    return out


# -- 1. relay saturation --------------------------------------------------------------------


def relay_saturation(ctx: Context) -> Result:
    s = ctx.sizes
    runs = both(ctx, {
        "scenario": "window", "window": s.window, "warmup_s": s.saturation_warmup_s,
        "duration_s": s.saturation_s,
    })
    rates = {k: r["in_window"] / r["window_s"] for k, r in runs.items()}
    ctx.floor_saturation = rates["floor"]
    figure = Figure(
        f"relay saturation, {s.relay_pairs} dialogs v->o", "msg/s",
        rates["frontdesk"], rates["floor"], "ratio >= 0.5",
        note=f"{s.window} messages in flight per dialog",
    )
    return [figure], {k: _clean(r) | {"msg_per_s": rates[k]} for k, r in runs.items()}


# -- 2. latency at offered loads ----------------------------------------------------------


def latency(ctx: Context, rate: int, targets: bool, label: str = "",
            durable: bool = False) -> Result:
    """Latency at ``rate`` offered, frontdesk and the floor; ``durable``: the durable floor
    too, in rows of its own (no targets: they tell what the targets ask of a relay that
    keeps frontdesk's promise, to relay only what is on disk)."""
    s = ctx.sizes
    scenario = {
        "scenario": "open_loop", "rate": rate, "duration_s": s.latency_s,
        "directions": ["v2o", "o2v"], "drain_s": 5.0,
    }
    runs = both(ctx, scenario)
    if durable:
        with floor(ctx, durable=True) as server:
            runs[DURABLE] = relay_run(ctx, "floor", server, [], scenario)
    summaries = {k: {d: summarize_us(v) for d, v in r["latencies_us"].items()}
                 for k, r in runs.items()}
    figures = []
    for direction in ("v2o", "o2v"):
        for q, bound in (("p50", 2), ("p99", 3)):
            fd = summaries["frontdesk"][direction][f"{q}_ms"]
            fl = summaries["floor"][direction][f"{q}_ms"]
            figures.append(Figure(
                f"latency {q} {direction} at {rate} msg/s{label}", "ms", fd, fl,
                f"ratio <= {bound}" if targets else "",
            ))
    lost = {k: sum(r["lost"].values()) for k, r in runs.items()}
    figures.append(Figure(f"messages lost at {rate} msg/s{label}", "msgs",
                          lost["frontdesk"], lost["floor"], "value <= 0"))
    # less noisy than a latency on a shared machine: what each relayed message cost the
    # server, from the start of the run (the clients connected) to its end
    per_msg = {k: r["server_cpu_s"] * 1e6 / max(1, sum(len(v) for v in r["latencies_us"].values()))
               for k, r in runs.items()}
    figures.append(Figure(f"server CPU per message at {rate} msg/s{label}", "us",
                          per_msg["frontdesk"], per_msg["floor"]))
    if durable:
        figures.extend(_durable_rows(rate, label, summaries, lost, per_msg))
    details = {k: _clean(r) for k, r in runs.items()}
    for k, r in runs.items():
        messages = sum(len(v) for v in r["latencies_us"].values())
        details[k]["server_threads"] = threads.delta(
            r["server_threads_at_start"], r["server_threads_at_end"], messages)
    return figures, details


DURABLE = "durable floor"
DURABLE_NOTE = ("frontdesk column: the floor relaying each say once it is fsynced "
                "(bench/durable_log.py)")


def _durable_rows(rate: int, label: str, summaries: dict[str, dict[str, dict[str, float]]],
                  lost: dict[str, int], per_msg: dict[str, float]) -> list[Figure]:
    """The durable floor beside the floor, and frontdesk beside the durable floor."""
    rows = []
    for q in ("p50", "p99"):
        fd, fl, du = (summaries[k]["v2o"][f"{q}_ms"] for k in ("frontdesk", "floor", DURABLE))
        rows.append(Figure(f"the durable floor: latency {q} v2o at {rate} msg/s{label}", "ms",
                           du, fl, note=DURABLE_NOTE))
        rows.append(Figure(f"latency {q} v2o at {rate} msg/s{label}, against the durable "
                           "floor", "ms", fd, du))
    rows.append(Figure(f"the durable floor: messages lost at {rate} msg/s{label}", "msgs",
                       lost[DURABLE], lost["floor"], note=DURABLE_NOTE))
    rows.append(Figure(f"the durable floor: server CPU per message at {rate} msg/s{label}",
                       "us", per_msg[DURABLE], per_msg["floor"], note=DURABLE_NOTE))
    return rows


def floor_saturation(ctx: Context) -> float:
    """The floor's relay saturation (msg/s): the one of this run, else measured now, alone."""
    if ctx.floor_saturation is None:
        s = ctx.sizes
        with floor(ctx) as server:
            run = relay_run(ctx, "floor", server, [], {
                "scenario": "window", "window": s.window, "warmup_s": s.saturation_warmup_s,
                "duration_s": s.saturation_s,
            })
        ctx.floor_saturation = run["in_window"] / run["window_s"]
    return ctx.floor_saturation


def latency_scaled(ctx: Context) -> Result:
    """Latency at ``latency_rates[1]`` scaled by this machine's floor against the baseline's.

    The fixed rate is a different load on a slower machine: on one whose floor relays half
    the baseline's 14,539 msg/s, 2,000 msg/s is twice the fraction of frontdesk's own
    saturation, and its latency measures that queue. The targets are judged here, at the
    same fraction of the floor; ``latency_high`` still judges the fixed rate beside it.
    """
    s = ctx.sizes
    measured = floor_saturation(ctx)
    rate = scaled_rate(s.latency_rates[1], measured, s.latency_reference_floor,
                       least=s.latency_rates[0])
    figures, details = latency(ctx, rate, targets=True,
                               label=f", scaled from {s.latency_rates[1]}")
    details["scaling"] = {"rate": rate, "fixed_rate": s.latency_rates[1],
                          "floor_saturation": measured,
                          "reference_floor": s.latency_reference_floor}
    return figures, details


# -- 3. assignment -----------------------------------------------------------------------------


def assignment(ctx: Context) -> Result:
    s = ctx.sizes
    with floor(ctx) as server:
        spec = {"target": "floor", "base": server.base, "capacity": CAPACITY, "pairs": [0, 30],
                "scenario": "pingpong", "messages": s.assign_free + s.assign_freeing,
                "text_len": TEXT_LEN}
        floor_run = run_loadgens([spec], ctx.log_dir, s.timeout_s)[0]
    with frontdesk(ctx, s.assign_operators) as (server, tokens):
        spec = {"target": "frontdesk", "base": server.base, "capacity": CAPACITY,
                "sessions": tokens, "scenario": "assign", "operators": s.assign_operators,
                "free_n": s.assign_free, "freeing_n": s.assign_freeing, "text_len": TEXT_LEN}
        fd_run = run_loadgens([spec], ctx.log_dir, s.timeout_s)[0]
    hop = summarize_us(floor_run["latencies_us"])
    free = summarize_us(fd_run["free_us"])
    freeing = summarize_us(fd_run["freeing_us"])
    note = "floor: one unloaded relay hop"
    figures = [
        Figure("assignment p50, free capacity", "ms", free["p50_ms"], hop["p50_ms"], note=note),
        Figure("assignment p99, free capacity", "ms", free["p99_ms"], hop["p99_ms"], note=note),
        Figure("assignment p50, capacity freeing", "ms", freeing["p50_ms"], hop["p50_ms"],
               note=note),
        Figure("assignment p99, capacity freeing", "ms", freeing["p99_ms"], hop["p99_ms"],
               "value <= 5", note=note),
    ]
    details = {"frontdesk": {"free": free, "freeing": freeing,
                             "errors": fd_run.get("errors", [])},
               "floor": {"one_hop": hop}}
    return figures, details


# -- 4. scale --------------------------------------------------------------------------------


def _scale_run(ctx: Context, target: str, server: Server, tokens: list[str]) -> dict[str, Any]:
    s = ctx.sizes
    common = {"target": target, "base": server.base, "capacity": s.scale_capacity,
              "sessions": tokens, "scenario": "scale", "text_len": TEXT_LEN,
              "probe_rate": s.probe_rate,
              "probe_s": s.probe_s, "total_visitors": s.scale_visitors,
              "open_bound_s": s.open_bound_s, "settle_s": s.settle_bound_s}
    specs = [{**common, "operators": s.scale_operators, "pairs": [0, 0]}]
    specs += [{**common, "operators": 0, "pairs": list(r)}
              for r in split(s.scale_visitors, s.scale_procs)]
    children = [loadgen(f"loadgen-scale-{target}-{i}", spec, ctx.log_dir)
                for i, spec in enumerate(specs)]
    try:
        for child in children:
            child.send("setup")
            child.expect("ready", s.timeout_s)
        rss_before = rss_kb(server.pid)
        go_ns = time.monotonic_ns() + 200_000_000
        for child in children:
            child.send("go", start_ns=go_ns)
        opened = [child.expect("opened", s.timeout_s + s.open_bound_s) for child in children]
        open_all_s = (max(o["opened_ns"] for o in opened) - go_ns) / 1e9
        complete = all(o["complete"] for o in opened)
        n_opened = sum(o["opened"] for o in opened)
        for child in children:
            child.send("probe")
        probe = children[0].expect("result", s.timeout_s)
        rest = [c.expect("result", s.timeout_s) for c in children[1:]]
        rss_after = rss_kb(server.pid)
        server_metrics: dict[str, float] = {}
        if target == "floor":
            gc_info = floor_stats(server)["gc"]
        else:
            text = metrics(server)
            gc_info = gcstats.parse_prometheus(text)
            server_metrics = plain_metrics(text)
        for child in children:
            child.send("stop")
        errors = sum(r.get("error_count", 0) for r in [probe, *rest])
        return {
            "rss_mb": rss_after / 1024, "rss_before_open_mb": rss_before / 1024,
            "peak_rss_mb": hwm_kb(server.pid) / 1024,
            "open_all_s": open_all_s if complete else None, "opened": n_opened,
            "open_failures": sum(o["failures"] for o in opened), "open_elapsed_s": open_all_s,
            "probe": _clean(probe), "gc": gc_info, "client_errors": errors,
            "visitors": s.scale_visitors, "operators": s.scale_operators,
            "server_metrics": server_metrics,
        }
    finally:
        for child in children:
            child.stop(grace_s=5)


def plain_metrics(text: str) -> dict[str, float]:
    """The server's own counters and gauges from /metrics (no histograms, no GC)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("frontdesk_") and "_gc_" not in line and "_bucket" not in line:
            name, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                out[name] = float(value)
    return out


def _max_gc_ms(gc_info: dict[str, Any] | None, key: str = "max_s") -> float | None:
    if not gc_info or not gc_info.get("generations"):
        return None
    return float(max(g.get(key, 0.0) for g in gc_info["generations"])) * 1000


def scale(ctx: Context) -> Result:
    s = ctx.sizes
    runs: dict[str, dict[str, Any]] = {}
    with floor(ctx) as server:
        runs["floor"] = _scale_run(ctx, "floor", server, [])
    with frontdesk(ctx, s.scale_operators, capacity=s.scale_capacity) as (server, tokens):
        runs["frontdesk"] = _scale_run(ctx, "frontdesk", server, tokens)
    fd, fl = runs["frontdesk"], runs["floor"]
    what = f"{s.scale_visitors} dialogs + {s.scale_operators} operators"
    def settled(run: dict[str, Any]) -> float | None:
        info = run["probe"].get("settle", {})
        return float(info["settle_s"]) if info.get("settled") else None

    def probe(run: dict[str, Any], direction: str, q: str) -> float | None:
        """A probe percentile; None when no probe message made it (the figure then fails)."""
        value = run["probe"].get("latency", {}).get(direction, {}).get(f"{q}_ms")
        return float(value) if value is not None else None

    done = fd["open_all_s"] is not None
    rss_what = what if done else f"{what} asked, {fd['opened']} open"
    figures = [
        Figure(f"server RSS, {rss_what}", "MB", fd["rss_mb"], fl["rss_mb"], "value <= 600",
               complete=done),
        Figure(f"time to open all, {what}", "s", fd["open_all_s"], fl["open_all_s"],
               note=f"until every open is acknowledged; frontdesk opened {fd['opened']} "
                    f"in {fd['open_elapsed_s']:.1f} s (bound {s.open_bound_s:.0f} s)"),
        Figure("then until a probe is relayed in < 50 ms", "s",
               settled(fd), settled(fl),
               note="the backlog of notices left by the burst"),
        Figure("probe latency p50 v->o while open", "ms", probe(fd, "v2o", "p50"),
               probe(fl, "v2o", "p50")),
        Figure("probe latency p99 v->o while open", "ms", probe(fd, "v2o", "p99"),
               probe(fl, "v2o", "p99")),
        Figure("probe latency p99 o->v while open", "ms", probe(fd, "o2v", "p99"),
               probe(fl, "o2v", "p99")),
        Figure("longest GC pause (server, whole run)", "ms", _max_gc_ms(fd["gc"]),
               _max_gc_ms(fl["gc"]), "value <= 50", complete=done),
        Figure("longest GC pause in CPU time", "ms", _max_gc_ms(fd["gc"], "cpu_max_s"),
               _max_gc_ms(fl["gc"], "cpu_max_s"),
               note="wall time minus time the process waited for a core"),
    ]
    return figures, runs


# -- 4b. operators going online --------------------------------------------------------------


def operators_online(ctx: Context) -> Result:
    """How long M operators take to connect and go online (every operator sees the others)."""
    s = ctx.sizes
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for count in s.online_counts:
        spec: dict[str, Any] = {"scenario": "operators", "operators": count,
                                "bound_s": s.online_bound_s, "capacity": CAPACITY,
                                "text_len": TEXT_LEN}
        with floor(ctx) as server:
            fl = run_loadgens([{**spec, "target": "floor", "base": server.base}],
                              ctx.log_dir, s.timeout_s)[0]
        with frontdesk(ctx, count) as (server, tokens):
            fd = run_loadgens([{**spec, "target": "frontdesk", "base": server.base,
                                "sessions": tokens}], ctx.log_dir, s.timeout_s)[0]
        details[str(count)] = {"frontdesk": _clean(fd), "floor": _clean(fl)}
        figures.append(Figure(
            f"{count} operators connect and go online", "s", fd["online_s"], fl["online_s"],
            note=f"bound {s.online_bound_s:.0f} s; '-' = not done within it",
        ))
    return figures, details


# -- 5. start-up ---------------------------------------------------------------------------------


def startup(ctx: Context) -> Result:
    """A restart (the data directory holds users) and a first start (demo users made)."""
    fd_times, first_times, fl_times = [], [], []
    for _ in range(ctx.sizes.startup_runs):
        with floor(ctx) as server:
            fl_times.append(server.ready_s)
        with frontdesk(ctx, 1, cheap_accounts=False) as (server, _tokens):
            fd_times.append(server.ready_s)
        with frontdesk(ctx, 0, cheap_accounts=False) as (server, _tokens):
            first_times.append(server.ready_s)
    fd, fl = statistics.median(fd_times), statistics.median(fl_times)
    first = statistics.median(first_times)
    runs = f"median of {len(fd_times)}; floor: to its ready line"
    figures = [
        Figure("start-up to ready (/healthz)", "s", fd, fl, "value <= 2", note=runs),
        Figure("first start to ready (makes demo users)", "s", first, fl, note=runs),
    ]
    return figures, {"frontdesk_s": fd_times, "first_start_s": first_times, "floor_s": fl_times}


# -- 6. journal ------------------------------------------------------------------------------------


def journal(ctx: Context) -> Result:
    rates = journal_cost.measure(ctx.sizes.journal_s)
    figures = []
    for sync in ("full", "normal"):
        for batch in (1, 10, 100):
            pw = rates[f"peewee/{sync}/batch={batch}"]["events_per_s"]
            raw = rates[f"sqlite3/{sync}/batch={batch}"]["events_per_s"]
            figures.append(Figure(f"journal {sync}, {batch} event(s)/commit", "events/s", pw,
                                  raw, note="floor: bare sqlite3, same rows"))
    for batch in (1, 10, 100):  # the shipped setting: what a commit costs the store thread
        pw = rates[f"peewee/full/batch={batch}"]["cpu_us_per_event"]
        raw = rates[f"sqlite3/full/batch={batch}"]["cpu_us_per_event"]
        figures.append(Figure(f"journal full, {batch} event(s)/commit, CPU per event", "us",
                              pw, raw, note="the writing thread's user + system time"))
    return figures, rates


# -- 7. runtime tuning (GC, GIL switch interval): extra measurements -----------------------


def tuning_env(
    switch_s: str = "", thresholds: str = "", freeze: bool = False, every_s: str = ""
) -> dict[str, str]:
    """Every knob set explicitly ("" = the interpreter's default), for both servers."""
    return {ENV_SWITCH: switch_s, ENV_THRESHOLDS: thresholds,
            ENV_FREEZE: "1" if freeze else "0", ENV_FREEZE_INTERVAL: every_s,
            ENV_FULL_INTERVAL: ""}


GC_VARIANTS = {
    "default": tuning_env(),
    "freeze": tuning_env(freeze=True),
    "thresholds": tuning_env(thresholds="50000,50,100"),
    "freeze+thresholds": tuning_env(thresholds="50000,50,100", freeze=True),
    "freeze every 1 s": tuning_env(freeze=True, every_s="1"),
    "freeze every 0.25 s": tuning_env(freeze=True, every_s="0.25"),
}
SWITCH_VARIANTS = ("0.005", "0.001", "0.0005")


@contextlib.contextmanager
def tuned(ctx: Context, env: dict[str, str]) -> Iterator[None]:
    saved = ctx.env
    ctx.env = env
    try:
        yield
    finally:
        ctx.env = saved


def gc_tuning(ctx: Context) -> Result:
    s = ctx.sizes
    sized = Context(
        sizes=Sizes(**{**s.__dict__, "scale_visitors": s.tuning_visitors,
                       "scale_operators": s.tuning_operators}),
        work_dir=ctx.work_dir, log_dir=ctx.log_dir, counter=ctx.counter + 100,
    )
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for name, env in GC_VARIANTS.items():
        with tuned(sized, env):
            rows, runs = scale(sized)
        details[name] = {"env": env, "runs": runs}
        gc_fd = runs["frontdesk"]["gc"]["generations"]
        gc_fl = runs["floor"]["gc"]["generations"]
        figures.append(Figure(f"[{name}] longest GC pause", "ms", rows[-1].frontdesk,
                              rows[-1].floor, "value <= 50"))
        figures.append(Figure(f"[{name}] gen-2 collections", "count", gc_fd[2]["count"],
                              gc_fl[2]["count"]))
        figures.append(Figure(f"[{name}] GC time, all generations", "s",
                              sum(g["sum_s"] for g in gc_fd), sum(g["sum_s"] for g in gc_fl)))
        figures.append(Figure(f"[{name}] probe p99 v->o", "ms", rows[4].frontdesk, rows[4].floor))
        figures.append(Figure(f"[{name}] time to open all", "s", rows[1].frontdesk,
                              rows[1].floor))
        figures.append(Figure(f"[{name}] then until settled", "s", rows[2].frontdesk,
                              rows[2].floor))
    return figures, details


def switch_interval(ctx: Context) -> Result:
    s = ctx.sizes
    sized = Context(sizes=Sizes(**{**s.__dict__, "latency_s": s.tuning_latency_s,
                                   "relay_pairs": s.tuning_pairs}),
                    work_dir=ctx.work_dir, log_dir=ctx.log_dir, counter=ctx.counter + 200)
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    rate = s.tuning_rate
    for interval in SWITCH_VARIANTS:
        with tuned(sized, tuning_env(switch_s=interval)):
            rows, runs = latency(sized, rate, targets=False)
        details[interval] = runs
        figures.extend(
            Figure(f"[switch {interval} s] {f.name}", f.unit, f.frontdesk, f.floor)
            for f in rows[:4]
        )
    return figures, details


# -- the suite ---------------------------------------------------------------------------------

MEASUREMENTS: dict[str, Callable[[Context], Result]] = {
    "startup": startup,
    "journal": journal,
    "history": lambda ctx: history_cost.result(quick=ctx.sizes == QUICK),
    "render": lambda ctx: render_cost.result(quick=ctx.sizes == QUICK),
    "knowledge": lambda ctx: knowledge_cost.result(quick=ctx.sizes == QUICK),
    "upload": lambda ctx: upload_cost.result(quick=ctx.sizes == QUICK),
    "saturation": relay_saturation,
    "latency_low": lambda ctx: latency(ctx, ctx.sizes.latency_rates[0], targets=False),
    "latency_high": lambda ctx: latency(ctx, ctx.sizes.latency_rates[1], targets=True,
                                        durable=True),
    "latency_scaled": latency_scaled,
    "assignment": assignment,
    "operators_online": operators_online,
    "scale": scale,
}
EXTRA: dict[str, Callable[[Context], Result]] = {
    "gc_tuning": gc_tuning,
    "switch_interval": switch_interval,
}


def run_suite(
    names: list[str], ctx: Context, say: Callable[[str], None]
) -> tuple[list[Figure], dict[str, Any]]:
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for name in names:
        say(f"-- {name}")
        started = time.monotonic()
        try:
            rows, info = {**MEASUREMENTS, **EXTRA}[name](ctx)
        except Exception as exc:  # one failed measurement must not hide the others
            say(f"   failed: {exc}")
            details[name] = {"error": f"{type(exc).__name__}: {exc}"}
            if ctx.profiles:
                details[name]["profiles"] = ctx.profiles
                ctx.profiles = []
            continue
        figures.extend(rows)
        details[name] = {"seconds": time.monotonic() - started,
                         "figures": [f.to_json() for f in rows], "details": info}
        if ctx.stage_reports:
            details[name]["stages"] = ctx.stage_reports
            for report in ctx.stage_reports:
                say(f"   where messages waited in {report['server']} (since their send):\n"
                    + stages.table(report["stages"]))
            ctx.stage_reports = []
        if ctx.profiles:
            details[name]["profiles"] = ctx.profiles
            ctx.profiles = []
        for f in rows:
            say(f"   {f.name}: frontdesk {f.frontdesk} floor {f.floor}")
        for server, run in info.items():
            if isinstance(run, dict) and run.get("server_threads"):
                say(f"   {server}'s CPU by thread:\n" + threads.table(run["server_threads"]))
    return figures, details


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str, allow_nan=True)


__all__ = ["EXTRA", "FULL", "MEASUREMENTS", "QUICK", "Context", "Sizes", "run_suite"]
