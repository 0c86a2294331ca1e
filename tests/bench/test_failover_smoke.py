"""``python -m bench.failover`` still runs end to end: one kill, a few dialogs, a small
pre-filled journal (real processes on loopback). The figures are not judged (a shared
machine is too noisy); that each was measured, and the sync-mode verdict, are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_one_round_of_the_failover_bench(tmp_path: Path) -> None:
    out = tmp_path / "failover.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.failover", "--rounds", "1", "--dialogs", "3",
         "--journal-records", "200", "--load-s", "0.3", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=170, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    report = json.loads(out.read_text())
    for key in ("accepts writes", "first dialog", "client recovery (all clients back, per round)"):
        assert report[key]["n"] == 1 and report[key]["p99"] > 0, key
    assert report["replayed at promotion"] == [0]
    verdict = report["check"]
    assert verdict["acked"] > 0
    assert (verdict["lost"], verdict["duplicated"], verdict["hidden"]) == (0, 0, 0)
