"""Queue cost: one routing step at 10 and at 10,000 waiting dialogs, before and after.

``python -m bench.queue_cost [--before REV] [--reps N] [--rounds N]`` times the queue's
machine (``queue_state.step``, what the QueueActor runs for every message; pure calls, no
actors, no sockets) on three steps, each at a queue of ``10`` and of ``10,000`` waiting
dialogs, kept at that length around every timed step:

* ``enqueue``: a dialog joins at the tail (no operator free: nothing is offered);
  untimed afterwards, it leaves (``Dequeue``);
* ``assign``: an operator gets room (``Availability``) and the queue offers it the head
  dialog; untimed afterwards, the operator declines (``OfferDeclined``, full again), so the
  head waits again in its place;
* ``requeue``: a dialog whose operator vanished goes back at the head
  (``Enqueue(head=True)``); untimed afterwards, it leaves.

µs per timed step, ``reps`` steps with the garbage collector off (as ``timeit``), the
median of ``rounds``; before and after run ``pairs`` times each, interleaved, and each
figure is the median of its runs. Beside them, the queue on the engine's path: ``open``, the seconds
to open ``OPENED`` dialogs through a whole in-process ``Engine`` (shared dispatcher,
``MemoryJournal``, no operator: each waits in the queue; submit to the last answer, the
engine settled), once. Each variant runs in a fresh process: *after* is this checkout's
engine, *before* the engine of ``REV`` (default ``2b20aab``, the last commit whose queue
state was mutated in place), extracted with ``git archive`` into a temporary folder that
the child process imports ``frontdesk`` from. The code below uses only what both have
(``step``, ``FlushInfo``), so the same loop times both. The run goes to
``bench/results/runs/queue_cost.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from frontdesk.engine import commands, messages, notices, queue_state
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "runs" / "queue_cost.json"
BEFORE = "2b20aab"
SIZES = (10, 10_000)
STEPS = ("enqueue", "assign", "requeue")
OPENED = 10_000


def _timed(size: int, kind: str, reps: int) -> float:
    """µs per timed step of ``kind`` at a queue of ``size`` (see the module docstring)."""
    def ann(load: int, capacity: int) -> messages.Availability:
        return messages.Availability("ann", "Ann", True, "connected", load, capacity, 0.0)

    s = queue_state.QueueState()
    s, _ = queue_state.step(s, ann(0, 0))  # logged in, no room
    for i in range(1, size + 1):
        s, _ = queue_state.step(s, messages.Enqueue(f"d-{i}", i, 0))
    s, _ = queue_state.step(s, messages.FlushInfo())
    clock = time.perf_counter
    spent = 0.0
    head = "d-1"
    for r in range(reps):
        if kind == "enqueue":
            n = size + 1 + r
            msg: object = messages.Enqueue(f"d-{n}", n, 0)
            undo: tuple[object, ...] = (messages.Dequeue(f"d-{n}"),)
        elif kind == "assign":
            msg = ann(0, 1)
            undo = (messages.OfferDeclined(head, "ann", ann(0, 0)),)
        else:
            n = size + 1 + r
            msg = messages.Enqueue(f"d-{n}", n, 0, head=True)
            undo = (messages.Dequeue(f"d-{n}"),)
        started = clock()
        s, fx = queue_state.step(s, msg)
        spent += clock() - started
        if kind == "assign":
            assert len(fx) == 1, fx  # the head was offered
        for m in undo:
            s, _ = queue_state.step(s, m)
        if r % 64 == 63:  # now and then a flush, as the actor's FlushInfo would
            s, _ = queue_state.step(s, messages.FlushInfo())
            while s.positions_more:
                s, _ = queue_state.tell_positions(s, 0.0)
    return spent / reps * 1e6


def open_cost(dialogs: int) -> float:
    """Seconds to open ``dialogs`` dialogs through the engine, none assigned."""
    engine = Engine(EngineSettings(visitor_inactivity_timeout_s=0), MemoryJournal()).start()
    try:
        assert engine.settle(30)
        answers = threading.Semaphore(0)

        def answered(notice: notices.Notice) -> None:
            if isinstance(notice, notices.Ack | notices.Rejected):
                answers.release()

        started = time.perf_counter()
        for i in range(dialogs):
            engine.submit(commands.OpenDialog(f"token-{i}", f"V{i}", ref=f"r{i}"), answered)
        for _ in range(dialogs):
            if not answers.acquire(timeout=120):
                raise RuntimeError("an open was not answered within 120 s")
        assert engine.settle(120)
        return time.perf_counter() - started
    finally:
        engine.stop()


def measure(reps: int, rounds: int, opened: int = OPENED) -> dict[str, dict[str, float]]:
    """``{step: {size: µs}}`` in this process (the engine it imports)."""
    out: dict[str, dict[str, float]] = {}
    for kind in STEPS:
        out[kind] = {}
        for size in SIZES:
            timings = []
            for _ in range(rounds):
                gc.collect()
                gc.disable()  # as timeit does: a collection's cost grows with what is alive
                try:
                    timings.append(_timed(size, kind, reps))
                finally:
                    gc.enable()
            out[kind][str(size)] = statistics.median(timings)
    if opened:
        out["open"] = {str(opened): open_cost(opened)}
    return out


def _child(pythonpath: Path, reps: int, rounds: int, opened: int) -> dict[str, Any]:
    """``measure`` in a fresh process that imports ``frontdesk`` from ``pythonpath``."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from queue_cost import measure; "
            "import frontdesk.engine.queue_state as q; "
            "print(json.dumps({'module': q.__file__, 'us': measure(int(sys.argv[2]), "
            "int(sys.argv[3]), int(sys.argv[4]))}))")
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "bench"), str(reps), str(rounds), str(opened)],
        cwd=pythonpath, env=env, check=True, capture_output=True, text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def run(before: str, reps: int, rounds: int, opened: int = OPENED,
        pairs: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="queue-cost-") as tmp:
        old = Path(tmp) / "before"
        old.mkdir()
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", before, "frontdesk", "engine", "adapters",
             "web", "config"], check=True, capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=tar, check=True)
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", before],
                             check=True, capture_output=True, text=True).stdout.strip()
        after_rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                   check=True, capture_output=True, text=True).stdout.strip()
        runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        for _ in range(pairs):  # interleaved: a machine that gets busier burdens both
            runs["before"].append(_child(old, reps, rounds, opened))
            runs["after"].append(_child(ROOT, reps, rounds, opened))
    results = {
        side: {"rev": name, "module": runs[side][0]["module"],
               "runs": [r["us"] for r in runs[side]],
               "us": {kind: {size: statistics.median(r["us"][kind][size] for r in runs[side])
                             for size in runs[side][0]["us"][kind]}
                      for kind in runs[side][0]["us"]}}
        for side, name in (("before", rev), ("after", f"{after_rev} (work tree)"))
    }
    return {"reps": reps, "rounds": rounds, "opened": opened, "pairs": pairs,
            "load_average": os.getloadavg(), **results}


def table(r: dict[str, Any]) -> str:
    lines = [f"µs per step, median of {r['rounds']} rounds of {r['reps']} (median of "
             f"{r['pairs']} interleaved runs); before {r['before']['rev']}, "
             f"after {r['after']['rev']}; load average {r['load_average'][0]:.2f}",
             f"{'step':<10}{'waiting':>9}{'before':>10}{'after':>10}"]
    for kind in STEPS:
        for size in SIZES:
            b, a = r["before"]["us"][kind][str(size)], r["after"]["us"][kind][str(size)]
            lines.append(f"{kind:<10}{size:>9,}{b:>10.2f}{a:>10.2f}")
    if r.get("opened"):
        n = str(r["opened"])
        b, a = r["before"]["us"]["open"][n], r["after"]["us"]["open"][n]
        lines.append(f"seconds to open {int(n):,} dialogs through the engine: "
                     f"before {b:.2f}, after {a:.2f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=BEFORE, help="the commit to compare with")
    ap.add_argument("--reps", type=int, default=2_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--opened", type=int, default=OPENED, help="dialogs opened (0: none)")
    ap.add_argument("--pairs", type=int, default=2, help="interleaved before/after runs")
    args = ap.parse_args()
    r = run(args.before, args.reps, args.rounds, args.opened, args.pairs)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(r, indent=2) + "\n")
    print(table(r))


if __name__ == "__main__":
    main()
