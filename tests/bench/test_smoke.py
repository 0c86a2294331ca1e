"""The benchmark instrument still works: ``python -m bench --quick`` end to end.

Real processes: the floor relay, ``frontdesk serve`` and the load generators,
on loopback, with small N; the figures are not judged here (a shared CI
machine is too noisy), only that every one of them was measured.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.suite import MEASUREMENTS

ROOT = Path(__file__).resolve().parents[2]

# rows each measurement contributes to the table
ROWS = {
    "startup": 2,
    "journal": 9,
    "history": 2,
    "render": 2,
    "knowledge": 2,
    "upload": 2,
    "saturation": 1,
    "latency_low": 6,
    "latency_high": 12,  # and the durable floor's six
    "latency_scaled": 6,
    "assignment": 4,
    "operators_online": 2,
    "scale": 8,
}


def test_rows_cover_every_measurement() -> None:
    assert set(ROWS) == set(MEASUREMENTS)


@pytest.mark.slow
def test_quick_suite_measures_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["mode"] == "quick"
    assert report["machine"]["cpus"] >= 1
    for name, rows in ROWS.items():
        measurement = report["measurements"][name]
        assert "error" not in measurement, (name, measurement)
        assert len(measurement["figures"]) == rows, name
    assert len(report["figures"]) == sum(ROWS.values())
    for figure in report["figures"]:
        for side in ("frontdesk", "floor"):
            value = figure[side]
            assert isinstance(value, int | float) and not math.isnan(value), figure
            assert value >= 0, figure
        assert figure["ratio"] is not None or figure["floor"] == 0, figure
        if figure["target"]:
            assert figure["passed"] in (True, False), figure
    # the server's CPU by thread, for the floor (one thread) and frontdesk's: its engine is
    # hosted on the trio thread, the journal's appends on their own (docs/architecture.md)
    threads = report["measurements"]["latency_low"]["details"]["frontdesk"]["server_threads"]
    assert {"main (trio)", "journal"} <= set(threads), threads
    assert not {"engine-0", "store-0"} & set(threads), threads
    for name in ("main (trio)", "journal"):
        assert threads[name]["cpu_us_per_msg"] > 0, (name, threads)
    assert "main (trio)" in (
        report["measurements"]["latency_low"]["details"]["floor"]["server_threads"])
    # the durable floor: its trio thread, and its log's writer
    durable = report["measurements"]["latency_high"]["details"]["durable floor"]
    assert {"main (trio)", "durable-log"} <= set(durable["server_threads"]), durable
    assert sum(durable["lost"].values()) == 0, durable
    # the table printed on stdout has one line per figure (plus header and rule)
    table = run.stdout.split("\n\nwritten:")[0].splitlines()
    assert len(table) == len(report["figures"]) + 2
