"""Readiness as a set of named conditions: ``/healthz`` and ``/metrics`` report each.

A node is ready when its role serves (``NodeState.ready``: a single node once
started, a cluster primary holding its lease) *and* every condition added here
holds. Each condition says why it does not hold (one line) or None, and renders
its own Prometheus lines; the storage adds ``journal_writable``
(``frontdesk.adapters.storage.availability``), other layers add theirs the same way.
"""

from __future__ import annotations

from typing import Protocol


class Condition(Protocol):
    """One named condition of readiness."""

    @property
    def name(self) -> str:
        """A metric-safe word: ``/metrics`` shows the condition as gauge ``frontdesk_<name>``."""
        ...

    def failing(self) -> str | None:
        """Why the condition does not hold now; None when it holds."""
        ...

    def metrics(self) -> list[str]:
        """Prometheus lines of the condition beyond its gauge (counters); may be empty."""
        ...


class Readiness:
    """The conditions of one node, in the order added (not thread-bound: reads only)."""

    def __init__(self) -> None:
        self._conditions: dict[str, Condition] = {}

    def add(self, condition: Condition) -> None:
        if condition.name in self._conditions:
            raise ValueError(f"readiness: a condition named {condition.name!r} is there already")
        self._conditions[condition.name] = condition

    def failing(self) -> dict[str, str]:
        """``{name: why}`` of each condition that does not hold now."""
        out: dict[str, str] = {}
        for name, condition in self._conditions.items():
            why = condition.failing()
            if why is not None:
                out[name] = why
        return out

    def metrics(self) -> list[str]:
        """A gauge per condition (1 holds, 0 does not), then each condition's own lines."""
        lines: list[str] = []
        for name, condition in self._conditions.items():
            gauge = f"frontdesk_{name}"
            lines += [f"# HELP {gauge} 1 while the readiness condition {name} holds, else 0.",
                      f"# TYPE {gauge} gauge",
                      f"{gauge} {0 if condition.failing() is not None else 1}"]
            lines += condition.metrics()
        return lines
