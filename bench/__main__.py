"""``python -m bench``: run the benchmark suite, print the table, write the JSON file.

Options: ``--quick`` (a few seconds, small N: the smoke run), ``--only NAME``
(repeatable; the standard suite: startup, journal, history, render, knowledge,
upload, saturation, latency_low, latency_high, assignment, scale; extras, run only when
named: gc_tuning, switch_interval), ``--out PATH`` (default ``bench/results/runs/latest.json``, an
ignored folder: the tracked baselines are written only when named),
``--stages`` (where a relayed message waits inside each frontdesk server, stage by
stage: ``bench/stages.py``; a table per measurement on stderr, the figures in the JSON),
``--keep`` (keep the work directory with the servers' and clients' logs),
``--profile`` (sample each frontdesk server with py-spy; a summary per
measurement goes to the JSON file, the raw stacks to the logs), ``--env
NAME=VALUE`` (repeatable: set for both servers, e.g. a tuning variable).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.figures import render_table
from bench.suite import (
    EXTRA,
    FULL,
    MEASUREMENTS,
    QUICK,
    Context,
    Sizes,
    cleanup,
    dumps,
    run_suite,
)

RESULTS = Path(__file__).resolve().parent / "results" / "runs" / "latest.json"


def machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "")
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": model, "cpus": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "kernel": platform.release(),
        "load_avg_at_start": os.getloadavg(),
    }


def override_sizes(sizes: Sizes, items: list[str]) -> Sizes:
    """``sizes`` with ``NAME=VALUE`` overrides (numbers only), e.g. ``scale_operators=300``."""
    changes: dict[str, object] = {}
    for item in items:
        name, _, value = item.partition("=")
        current = getattr(sizes, name, None)
        if current is None or not isinstance(current, int | float) or not value:
            known = ", ".join(f.name for f in dataclasses.fields(sizes)
                              if isinstance(getattr(sizes, f.name), int | float))
            raise ValueError(f"--size {item!r}: expected NAME=NUMBER with NAME one of {known}")
        changes[name] = type(current)(value)
    return dataclasses.replace(sizes, **changes)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few seconds, small N")
    parser.add_argument("--only", action="append", default=[],
                        choices=sorted({**MEASUREMENTS, **EXTRA}))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep logs and data directories")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="set for both servers, e.g. FRONTDESK_GC_THRESHOLDS=50000,50,100")
    parser.add_argument("--size", action="append", default=[], metavar="NAME=VALUE",
                        help="override one of the suite's sizes, e.g. scale_operators=300")
    parser.add_argument("--profile", action="store_true",
                        help="sample every frontdesk server with py-spy (summary in the JSON)")
    parser.add_argument("--stages", action="store_true",
                        help="time each message's stages inside every frontdesk server")
    args = parser.parse_args(argv)
    names = args.only or list(MEASUREMENTS)
    sizes = QUICK if args.quick else FULL
    try:
        sizes = override_sizes(sizes, args.size)
    except ValueError as exc:
        parser.error(str(exc))
    work = Path(tempfile.mkdtemp(prefix="fd-bench-"))
    log_dir = work / "logs"
    log_dir.mkdir()
    env = dict(item.split("=", 1) for item in args.env if "=" in item)
    ctx = Context(sizes=sizes, work_dir=work, log_dir=log_dir, profile=args.profile, env=env,
                  stages=args.stages)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    started = time.time()
    say(f"bench: {'quick' if args.quick else 'full'} run of {', '.join(names)}; logs in {log_dir}")
    try:
        figures, details = run_suite(names, ctx, say)
    finally:
        if not args.keep:
            cleanup(work)
    report = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": time.time() - started,
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "sizes": sizes.__dict__,
        "env": env,
        "figures": [f.to_json() for f in figures],
        "measurements": details,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(report) + "\n")
    print(render_table(figures))
    print(f"\nwritten: {args.out}")
    failed = [n for n, d in details.items() if "error" in d]
    if failed:
        print(f"measurements that could not run: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
