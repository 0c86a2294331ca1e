"""``python -m bench.report_cost`` still measures: a small journal, every figure taken, and
the read model's reports equal to the old fold's (the command asserts it)."""

from __future__ import annotations

from pathlib import Path

from bench.report_cost import measure


def test_every_figure_is_measured_on_a_small_journal(tmp_path: Path) -> None:
    result = measure(3000, 50, 1, cache=tmp_path)
    assert result["records"] >= 3000
    timed = [k for k in result if k.endswith("_s")]
    assert len(timed) == 7 and all(result[k] >= 0 for k in timed)
    assert result["facts"]["takings"] > 0 and result["facts_memory_bytes"] > 0
