"""``latency_scaled``'s offered rate: the fixed rate moved by the floor measured now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.scaled_rate import scaled_rate
from bench.suite import FULL

BASELINE = Path(__file__).resolve().parents[2] / "bench" / "results" / "baseline.json"


def test_a_floor_at_half_the_reference_speed_halves_the_rate() -> None:
    assert scaled_rate(2000, 7269.5, 14539.0) == 1000


def test_the_same_floor_keeps_the_rate() -> None:
    assert scaled_rate(2000, 14539.0, 14539.0) == 2000


def test_the_rate_never_falls_below_the_least() -> None:
    assert scaled_rate(2000, 100.0, 14539.0, least=500) == 500


@pytest.mark.parametrize("floor_now", [0.0, -1.0, float("nan"), float("inf")])
def test_a_floor_that_is_not_a_positive_number_is_refused(floor_now: float) -> None:
    with pytest.raises(ValueError, match="expected a positive number"):
        scaled_rate(2000, floor_now, 14539.0)


def test_the_reference_is_the_baselines_floor() -> None:
    report = json.loads(BASELINE.read_text())
    (saturation,) = [f for f in report["figures"] if f["name"].startswith("relay saturation")]
    assert round(saturation["floor"]) == FULL.latency_reference_floor
    assert report["sizes"]["latency_rates"][1] == FULL.latency_rates[1]
