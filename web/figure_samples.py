"""The last hour of the queue's length and the dialogs open, for the manager view's chart.

The server samples the live figures (``engine/day_figures.py``) every ``SAMPLE_EVERY_S``
into a ring kept in the process (``sample_figures``, a task of ``run_server``), and sends
the ring in each manager ``snapshot`` frame as ``series``: a page reloaded, or a manager
arriving, draws the hour at once instead of starting an empty chart. The page then adds
the readings of the ``figures`` frames. A restarted process starts a new ring (the hour is
the process's: a chart, not a record; the reports read the journal).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import trio

SPAN_S = 3600.0
SAMPLE_EVERY_S = 30.0


class FigureSamples:
    """A ring of ``(at, queue_length, dialogs_open)`` readings over the last ``span_s``."""

    def __init__(self, span_s: float = SPAN_S, every_s: float = SAMPLE_EVERY_S) -> None:
        self.span_s = span_s
        self.every_s = every_s
        self._ring: deque[tuple[float, int, int]] = deque()

    def note(self, figures: dict[str, Any]) -> None:
        """Keep a reading of ``figures`` (one within half a step of the last is left out;
        older than the span dropped). A reading from before the last (a clock set back)
        restarts the ring."""
        at = float(figures.get("at", 0.0))
        if at <= 0:
            return  # a node with no engine: no reading
        reading = (at, int(figures.get("queue_length", 0)), int(figures.get("dialogs_open", 0)))
        if self._ring and at < self._ring[-1][0]:
            self._ring.clear()
        if self._ring and at - self._ring[-1][0] < self.every_s * 0.5:
            return  # too close to the last (series() adds the reading of now anyway)
        self._ring.append(reading)
        while self._ring and self._ring[0][0] < at - self.span_s:
            self._ring.popleft()

    def series(self, figures: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``series`` of a snapshot: the ring, and ``figures`` (the reading of now) last."""
        samples = [list(s) for s in self._ring]
        if figures is not None and float(figures.get("at", 0.0)) > 0:
            now = [float(figures["at"]), int(figures.get("queue_length", 0)),
                   int(figures.get("dialogs_open", 0))]
            if not samples or now[0] > samples[-1][0]:
                samples.append(now)
            start = now[0] - self.span_s
            samples = [s for s in samples if s[0] >= start]
        return {"span_s": self.span_s, "every_s": self.every_s,
                "fields": ["at", "queue_length", "dialogs_open"], "samples": samples}


async def sample_figures(samples: FigureSamples, read: Callable[[], dict[str, Any]],
                         ready: Callable[[], bool]) -> None:
    """Note ``read()`` (the engine's figures) every ``samples.every_s`` while ``ready()``."""
    while True:
        if ready():
            samples.note(read())
        await trio.sleep(samples.every_s)
