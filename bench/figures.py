"""One row of the results table: a frontdesk figure beside its floor, a ratio and a target."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """``target`` reads ``ratio >= 0.5`` or ``value <= 600``; without one ``passed`` is None."""

    name: str
    unit: str
    frontdesk: float | None
    floor: float | None
    target: str = ""
    note: str = ""
    complete: bool = True  # False: measured short of what was asked; a target then fails

    @property
    def ratio(self) -> float | None:
        if self.frontdesk is None or self.floor is None or self.floor == 0:
            return None
        if math.isnan(self.frontdesk) or math.isnan(self.floor):
            return None
        return self.frontdesk / self.floor

    @property
    def passed(self) -> bool | None:
        if not self.target:
            return None
        if not self.complete:
            return False
        subject, op, bound_text = self.target.split()
        value = self.ratio if subject == "ratio" else self.frontdesk
        if value is None or math.isnan(value):
            return False
        bound = float(bound_text)
        return value >= bound if op == ">=" else value <= bound

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        out["passed"] = self.passed
        return out


def _fmt(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def render_table(figures: list[Figure]) -> str:
    header = ("figure", "unit", "frontdesk", "floor", "ratio", "target", "result")
    rows = [header]
    for f in figures:
        result = {True: "pass", False: "FAIL", None: ""}[f.passed]
        rows.append((
            f.name, f.unit, _fmt(f.frontdesk), _fmt(f.floor),
            _fmt(f.ratio) if f.ratio is not None else "-", f.target, result,
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
