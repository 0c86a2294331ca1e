"""An opt-in recorder of garbage-collection pauses, through ``gc.callbacks``.

Why: with thousands of connections in one process, generation-2 collections
walk every live object and stop the world (trio loop and actor threads alike)
for hundreds of milliseconds. The benchmark suite needs those pauses from the
real server, so the server exposes them on ``/metrics``:

    frontdesk_gc_pause_seconds_bucket{generation="2",le="0.05"} 3
    frontdesk_gc_pause_seconds_sum{generation="2"} 0.41
    frontdesk_gc_pause_seconds_count{generation="2"} 4
    frontdesk_gc_pause_max_seconds{generation="2"} 0.19

The callback costs two ``perf_counter`` calls per collection; it is off until
``install()`` (or ``install_from_env`` with ``FRONTDESK_GC_STATS=1``).
The callback takes no lock: the collector never runs two collections at once,
and a lock taken here could deadlock against a reader that triggers a
collection while holding it. Readers copy the counters (a torn read only
skews one scrape).
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BUCKETS_S: tuple[float, ...] = (
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0,
)
GENERATIONS = 3
ENV_FLAG = "FRONTDESK_GC_STATS"
ENV_DUMP = "FRONTDESK_GC_STATS_FILE"


class GcRecorder:
    """Counts collections and their pause lengths per generation."""

    def __init__(self) -> None:
        self.counts = [0] * GENERATIONS
        self.sums_s = [0.0] * GENERATIONS
        self.maxes_s = [0.0] * GENERATIONS
        self.cpu_maxes_s = [0.0] * GENERATIONS  # the same pauses in thread CPU time
        self.collected = [0] * GENERATIONS
        self.buckets = [[0] * (len(BUCKETS_S) + 1) for _ in range(GENERATIONS)]
        self._started = 0.0
        self._started_cpu = 0.0

    def callback(self, phase: str, info: Mapping[str, Any]) -> None:
        # CPU time is a system call (no vDSO for it): only read for the older generations,
        # as a young collection happens thousands of times a second and takes microseconds
        young = info.get("generation", 0) == 0
        if phase == "start":
            self._started = time.perf_counter()
            if not young:
                self._started_cpu = time.thread_time()
            return
        pause = time.perf_counter() - self._started
        cpu = 0.0 if young else time.thread_time() - self._started_cpu  # not measured: 0
        self.record(int(info.get("generation", 0)), pause, cpu, int(info.get("collected", 0)))

    def record(self, gen: int, pause_s: float, cpu_s: float, collected: int = 0) -> None:
        """Count one collection of generation ``gen`` that paused ``pause_s`` (wall time)."""
        if not 0 <= gen < GENERATIONS:
            return
        self.counts[gen] += 1
        self.sums_s[gen] += pause_s
        self.collected[gen] += collected
        self.maxes_s[gen] = max(self.maxes_s[gen], pause_s)
        self.cpu_maxes_s[gen] = max(self.cpu_maxes_s[gen], cpu_s)
        row = self.buckets[gen]
        for i, bound in enumerate(BUCKETS_S):
            if pause_s <= bound:
                row[i] += 1
                return
        row[-1] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as plain JSON data (``generations`` indexed 0-2)."""
        return {
            "buckets_s": list(BUCKETS_S),
            "generations": [
                {
                    "generation": g,
                    "count": self.counts[g],
                    "sum_s": self.sums_s[g],
                    "max_s": self.maxes_s[g],
                    "cpu_max_s": self.cpu_maxes_s[g],
                    "collected": self.collected[g],
                    "buckets": list(self.buckets[g]),
                }
                for g in range(GENERATIONS)
            ],
        }

    def render_prometheus(self, prefix: str = "frontdesk_gc") -> str:
        lines = [
            f"# HELP {prefix}_pause_seconds Garbage-collection pauses, by generation.",
            f"# TYPE {prefix}_pause_seconds histogram",
        ]
        for g in range(GENERATIONS):
            cumulative = 0
            for bound, n in zip((*BUCKETS_S, float("inf")), self.buckets[g], strict=True):
                cumulative += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                labels = f'generation="{g}",le="{le}"'
                lines.append(f"{prefix}_pause_seconds_bucket{{{labels}}} {cumulative}")
            lines.append(f'{prefix}_pause_seconds_sum{{generation="{g}"}} {self.sums_s[g]!r}')
            lines.append(f'{prefix}_pause_seconds_count{{generation="{g}"}} {self.counts[g]}')
        lines.append(f"# HELP {prefix}_pause_max_seconds Longest pause since start, by generation.")
        lines.append(f"# TYPE {prefix}_pause_max_seconds gauge")
        for g in range(GENERATIONS):
            lines.append(f'{prefix}_pause_max_seconds{{generation="{g}"}} {self.maxes_s[g]!r}')
        lines.append(
            f"# HELP {prefix}_pause_cpu_max_seconds Longest pause in thread CPU time (0 for "
            "generation 0: not measured) "
            "(wall time minus time descheduled), by generation."
        )
        lines.append(f"# TYPE {prefix}_pause_cpu_max_seconds gauge")
        for g in range(GENERATIONS):
            value = self.cpu_maxes_s[g]
            lines.append(f'{prefix}_pause_cpu_max_seconds{{generation="{g}"}} {value!r}')
        return "\n".join(lines) + "\n"


_installed: list[GcRecorder] = []  # the process's recorder, when installed


def install() -> GcRecorder:
    """Start recording (idempotent); returns the process's recorder."""
    if not _installed:
        rec = GcRecorder()
        gc.callbacks.append(rec.callback)
        _installed.append(rec)
    return _installed[0]


def uninstall() -> None:
    if _installed:
        gc.callbacks.remove(_installed.pop().callback)


def recorder() -> GcRecorder | None:
    return _installed[0] if _installed else None


def install_from_env(environ: Mapping[str, str] = os.environ) -> GcRecorder | None:
    """Install when ``FRONTDESK_GC_STATS`` is ``1``/``true``/``yes``; else do nothing."""
    if environ.get(ENV_FLAG, "").strip().lower() in {"1", "true", "yes"}:
        return install()
    return None


def render_prometheus() -> str:
    """The ``/metrics`` lines, or ``""`` when the recorder is not installed."""
    rec = recorder()
    return rec.render_prometheus() if rec is not None else ""


def dump(path: Path) -> None:
    """Write the recorder's snapshot as JSON (nothing when not installed)."""
    rec = recorder()
    if rec is not None:
        path.write_text(json.dumps(rec.snapshot()))


def parse_prometheus(text: str, prefix: str = "frontdesk_gc") -> dict[str, Any]:
    """Read back what ``render_prometheus`` wrote: per generation count, sum_s, max_s.

    For scrapers (the benchmark suite) that only see ``/metrics``.
    """
    gens: list[dict[str, Any]] = [
        {"generation": g, "count": 0, "sum_s": 0.0, "max_s": 0.0, "cpu_max_s": 0.0}
        for g in range(GENERATIONS)
    ]
    fields = {
        f"{prefix}_pause_seconds_count": ("count", int),
        f"{prefix}_pause_seconds_sum": ("sum_s", float),
        f"{prefix}_pause_max_seconds": ("max_s", float),
        f"{prefix}_pause_cpu_max_seconds": ("cpu_max_s", float),
    }
    found = False
    for line in text.splitlines():
        name, _, rest = line.partition("{")
        if name not in fields or 'generation="' not in rest:
            continue
        gen = int(rest.split('generation="', 1)[1].split('"', 1)[0])
        value = rest.rsplit(" ", 1)[1]
        key, cast = fields[name]
        gens[gen][key] = cast(float(value)) if cast is int else cast(value)
        found = True
    return {"generations": gens, "found": found}
