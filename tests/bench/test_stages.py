"""``python -m bench --stages``: where a relayed message waits, stage by stage.

A real quick run (the floor, ``frontdesk serve`` with ``bench.stages`` installed, the
load generator): every stage of a message's path is timed for every message the run
relayed, and a message reaches them in the order it goes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import stages

ROOT = Path(__file__).resolve().parents[2]


def test_a_frame_and_a_text_give_the_send_stamp() -> None:
    frame = '{"type":"say","ref":"r1","dialog":"7","text":"1234567890123 xxxx"}'
    assert stages.stamp_in_frame(frame) == 1234567890123
    assert stages.stamp_in_frame('{"type":"ping","ref":"1234567890123"}') is None
    assert stages.stamp_of_text("hello 1234567890123") is None  # the stamp comes first


def test_the_summary_gives_percentiles_per_stage() -> None:
    s = stages.Stages()
    for ms in range(1, 101):
        s.value("2 actor", ms * 1_000_000)
    summary = s.summary()["2 actor"]
    assert summary["n"] == 100
    assert (summary["p50_ms"], summary["p90_ms"], summary["p99_ms"]) == (51.0, 91.0, 100.0)


@pytest.mark.slow
def test_a_quick_run_times_every_stage_of_every_message(tmp_path: Path) -> None:
    out = tmp_path / "stages.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "latency_low", "--stages",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=100, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    measurement = json.loads(out.read_text())["measurements"]["latency_low"]
    (report,) = measurement["stages"]
    timed = report["stages"]
    relayed = sum(r["n"] for r in measurement["details"]["frontdesk"]["latency"].values())
    assert timed["1 read"]["n"] == relayed
    assert timed["2 actor"]["n"] == relayed
    assert timed["4 durable"]["n"] == relayed
    assert timed["6 encoded"]["n"] == 2 * relayed  # the sender's echo and the other's copy
    p50 = {name: timed[name]["p50_ms"] for name in stages.ORDER}
    # in the order a message goes; "5 loop" may come before "4 durable": the loop can run
    # a hand-over while the store still performs the rest of that batch's effects
    for path in (("1 read", "2 actor", "3 store", "4 durable"),
                 ("3 store", "5 loop", "6 encoded")):
        assert [p50[n] for n in path] == sorted(p50[n] for n in path), timed
    assert "where messages waited in frontdesk" in run.stderr
