"""Latency summaries: percentiles over recorded samples (microseconds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(ordered: Sequence[int], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence; q in [0, 100]."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return float(ordered[rank - 1])


def summarize_us(samples_us: Sequence[int]) -> dict[str, Any]:
    """p50/p95/p99/max in milliseconds, and the count."""
    ordered = sorted(samples_us)
    return {
        "n": len(ordered),
        "p50_ms": percentile(ordered, 50) / 1000,
        "p95_ms": percentile(ordered, 95) / 1000,
        "p99_ms": percentile(ordered, 99) / 1000,
        "max_ms": (ordered[-1] / 1000) if ordered else float("nan"),
    }
