"""Memory per open dialog of each dispatcher (``engine.dispatcher``), engine only.

``python -m bench.dispatcher_cost [--dialogs N]`` starts, for each of ``shared`` and
``threads``, a fresh process that runs an ``Engine`` (``MemoryJournal``, system clock,
no sockets), opens ``N`` dialogs (no operator: each waits in the queue with its own
``DialogActor``) and reports its RSS before and after, from ``/proc/self/status``. The
difference over ``N`` is the engine's memory per open dialog. The relay saturation of
each is ``python -m bench --only saturation --env FRONTDESK_ENGINE__DISPATCHER=threads``.
Runs go to ``bench/results/runs/dispatcher_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from frontdesk.engine import commands, notices
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings

OUT = Path(__file__).resolve().parent / "results" / "runs" / "dispatcher_cost.json"


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def one(dispatcher: str, dialogs: int) -> dict[str, Any]:
    settings = EngineSettings(dispatcher=dispatcher, visitor_inactivity_timeout_s=0)  # type: ignore[arg-type]
    engine = Engine(settings, MemoryJournal()).start()
    try:
        assert engine.settle(30)
        before = rss_kb()
        acks = threading.Semaphore(0)

        def answered(notice: notices.Notice) -> None:
            if isinstance(notice, notices.Ack | notices.Rejected):
                acks.release()

        for i in range(dialogs):
            engine.submit(commands.OpenDialog(f"token-{i}", f"V{i}", ref=f"r{i}"), answered)
        for _ in range(dialogs):
            if not acks.acquire(timeout=60):
                raise RuntimeError("an open was not answered within 60 s")
        assert engine.settle(60)
        after = rss_kb()
        return {"dispatcher": dispatcher, "dialogs": dialogs, "rss_before_kb": before,
                "rss_after_kb": after, "threads": threading.active_count(),
                "kb_per_dialog": (after - before) / dialogs}
    finally:
        engine.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatcher_cost")
    parser.add_argument("--dialogs", type=int, default=2_000)
    parser.add_argument("--one", choices=("shared", "threads"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.dialogs)))
        return 0
    runs = []
    for dispatcher in ("shared", "threads"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.dispatcher_cost", "--one", dispatcher,
             "--dialogs", str(args.dialogs)],
            check=True, capture_output=True, text=True,
        ).stdout
        runs.append(json.loads(out))
        r = runs[-1]
        print(f"{dispatcher:8} {r['dialogs']} dialogs: {r['kb_per_dialog']:.1f} KB per dialog, "
              f"{r['threads']} threads")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(runs, indent=2) + "\n")
    print(f"written: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
