"""Server metrics and their Prometheus text rendering (``GET /metrics``).

Counters are plain integers touched only on the trio thread (no lock needed);
the engine-derived gauges (dialogs by state, queue length) are read from the
engine snapshot at scrape time. The assignment latency is measured here, from
the notices the manager subscription sees: ``dialog.opened`` at → the first
``dialog.assigned`` at, both engine timestamps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

ASSIGN_BUCKETS_S: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    300.0, 900.0,
)
KINDS = ("visitor", "operator", "manager")
STATES = ("queued", "assigned", "closed")


class Histogram:
    def __init__(self, buckets: Iterable[float]) -> None:
        self.bounds = tuple(buckets)
        self.counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.sum += value
        self.count += 1
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[i] += 1
                return
        self.counts[-1] += 1

    def render(self, name: str) -> list[str]:
        lines = []
        cumulative = 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            cumulative += n
            lines.append(f'{name}_bucket{{le="{_num(bound)}"}} {cumulative}')
        cumulative += self.counts[-1]
        lines.append(f'{name}_bucket{{le="+Inf"}} {cumulative}')
        lines.append(f"{name}_sum {_num(self.sum)}")
        lines.append(f"{name}_count {self.count}")
        return lines


class Metrics:
    def __init__(self) -> None:
        self.connections: Counter[str] = Counter()
        self.frames_received: Counter[str] = Counter()
        self.frame_errors: Counter[str] = Counter()
        self.messages_relayed = 0
        self.slow_consumers = 0
        self.direct_writes = 0  # frames written from the loop without the writer task
        self.assignment_latency = Histogram(ASSIGN_BUCKETS_S)
        self._opened_at: dict[str, float] = {}

    def observe_notice(self, frame: dict[str, Any]) -> None:
        """Feed every notice of the all-seeing subscription (for the assignment latency)."""
        kind = frame.get("type")
        if kind == "dialog.opened":
            self._opened_at[frame["dialog"]] = float(frame["at"])
        elif kind == "dialog.assigned":
            opened = self._opened_at.pop(frame["dialog"], None)
            if opened is not None:
                self.assignment_latency.observe(max(0.0, float(frame["at"]) - opened))
        elif kind == "dialog.closed":
            self._opened_at.pop(frame["dialog"], None)

    def render(self, snapshot: dict[str, Any] | None, extra: Iterable[str] = ()) -> str:
        out: list[str] = []
        out += _family("frontdesk_connections", "gauge", "Open websockets by kind.")
        out += [f'frontdesk_connections{{kind="{k}"}} {self.connections[k]}' for k in KINDS]
        if snapshot is not None:
            states: Counter[str] = Counter(d.get("state", "") for d in snapshot.get("dialogs", []))
            out += _family("frontdesk_dialogs", "gauge", "Dialogs by state.")
            out += [f'frontdesk_dialogs{{state="{s}"}} {states[s]}' for s in STATES]
            out += _family("frontdesk_queue_length", "gauge", "Dialogs waiting in the queue.")
            out.append(f"frontdesk_queue_length {len(snapshot.get('queue', []))}")
        out += _family(
            "frontdesk_messages_relayed_total", "counter", "dialog.message frames sent to clients."
        )
        out.append(f"frontdesk_messages_relayed_total {self.messages_relayed}")
        out += _family(
            "frontdesk_frames_received_total", "counter", "Frames received from clients by kind."
        )
        out += [
            f'frontdesk_frames_received_total{{kind="{k}"}} {self.frames_received[k]}'
            for k in KINDS
        ]
        out += _family(
            "frontdesk_frame_errors_total", "counter", "Error frames sent for bad input by code."
        )
        out += [
            f'frontdesk_frame_errors_total{{code="{c}"}} {n}'
            for c, n in sorted(self.frame_errors.items())
        ]
        out += _family(
            "frontdesk_slow_consumers_total",
            "counter",
            "Sockets closed 1013 because their send queue filled.",
        )
        out.append(f"frontdesk_slow_consumers_total {self.slow_consumers}")
        out += _family(
            "frontdesk_direct_writes_total",
            "counter",
            "Frames written to an idle socket at once, without waking its writer task.",
        )
        out.append(f"frontdesk_direct_writes_total {self.direct_writes}")
        out += _family(
            "frontdesk_assignment_latency_seconds",
            "histogram",
            "Time from dialog.opened to dialog.assigned.",
        )
        out += self.assignment_latency.render("frontdesk_assignment_latency_seconds")
        out += list(extra)
        return "\n".join(out) + "\n"


def _family(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def _num(value: float) -> str:
    return repr(float(value)) if value != int(value) else f"{value:.1f}"
