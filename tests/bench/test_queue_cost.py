"""bench/queue_cost.py still measures: each step at each size, and before against after
(``git archive`` of the commit before the queue became a value, in a child process).
The figures are not judged here (a shared CI machine is too noisy), only that each was
measured, by the engine it names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench import queue_cost

ROOT = Path(__file__).resolve().parents[2]


def test_every_step_is_timed_at_every_size_in_this_process() -> None:
    us = queue_cost.measure(reps=20, rounds=1, opened=50)
    assert set(us) == {*queue_cost.STEPS, "open"} and us["open"]["50"] > 0
    for kind in queue_cost.STEPS:
        assert set(us[kind]) == {str(n) for n in queue_cost.SIZES}
        assert all(v > 0 for v in us[kind].values()), (kind, us[kind])


def test_before_and_after_run_each_their_own_engine() -> None:
    known = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", queue_cost.BEFORE],
                           capture_output=True, check=False)
    if shutil.which("git") is None or known.returncode != 0:
        pytest.skip(f"no git history holding {queue_cost.BEFORE} here")
    r = queue_cost.run(queue_cost.BEFORE, reps=10, rounds=1, opened=20, pairs=1)
    assert "queue-cost-" in r["before"]["module"]
    assert r["after"]["module"].startswith(str(ROOT))
    assert "enqueue" in queue_cost.table(r) and "open 20 dialogs" in queue_cost.table(r)
