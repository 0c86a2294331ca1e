"""Table rows: ratios, targets, and the rendered table."""

from __future__ import annotations

import math

from bench.figures import Figure, render_table
from bench.stats import percentile, summarize_us


def test_ratio_and_targets() -> None:
    fast = Figure("saturation", "msg/s", 6000, 10000, "ratio >= 0.5")
    assert fast.ratio == 0.6
    assert fast.passed is True
    slow = Figure("saturation", "msg/s", 4000, 10000, "ratio >= 0.5")
    assert slow.passed is False
    rss = Figure("rss", "MB", 700, 100, "value <= 600")
    assert rss.passed is False
    assert Figure("rss", "MB", 500, 100, "value <= 600").passed is True


def test_missing_values_fail_their_target_and_have_no_ratio() -> None:
    undone = Figure("open all", "s", None, 12.0, "value <= 60")
    assert undone.ratio is None
    assert undone.passed is False
    assert Figure("x", "s", 1.0, 0.0).ratio is None
    assert Figure("x", "s", math.nan, 1.0, "ratio <= 2").passed is False
    assert Figure("x", "s", 1.0, 2.0).passed is None  # no target
    short = Figure("rss at 1,882 of 10,000", "MB", 214, 235, "value <= 600", complete=False)
    assert short.passed is False


def test_table_has_a_row_per_figure() -> None:
    figures = [Figure("a", "ms", 2.0, 1.0, "ratio <= 3"), Figure("b", "s", None, 1.0)]
    lines = render_table(figures).splitlines()
    assert len(lines) == 4
    assert lines[2].split()[:6] == ["a", "ms", "2", "1", "2", "ratio"]
    assert lines[2].endswith("pass")
    assert " - " in lines[3]


def test_percentiles_are_nearest_rank() -> None:
    samples = list(range(1, 101))
    assert percentile(samples, 50) == 50
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert math.isnan(percentile([], 50))
    summary = summarize_us([1000, 2000, 3000, 4000])
    assert summary["n"] == 4
    assert summary["p50_ms"] == 2.0
    assert summary["max_ms"] == 4.0
