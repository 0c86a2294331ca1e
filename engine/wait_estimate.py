"""The estimated wait of a queued visitor, from the recent assignments. Pure.

Each assignment out of the queue tells the queue how long that dialog waited (from its
journaled ``dialog.queued`` to its ``dialog.assigned``: ``DialogState.queued_s`` at the
assignment, carried by ``Dequeue.waited_s``). The queue keeps the last ``SAMPLES`` of them
(after a restart or a takeover, those the replay folded from the journal: ``Fold.waits``);
a visitor at position ``p`` is told ``median x p``, rounded to a whole minute (0: less than
a minute), and nothing when no dialog has been assigned yet (no history, no guess). The
median, not the mean, so one visitor who waited through a lunch break does not triple
everyone's estimate.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator

SAMPLES = 20  # the last this many assignments
MINUTE_S = 60.0


def estimate_s(waits: Iterable[float], position: int) -> float | None:
    """``median(waits) x position`` in whole minutes (seconds, a multiple of 60; 0.0 for
    less than half a minute); None without waits or for a position below 1."""
    samples = list(waits)
    if not samples or position < 1:
        return None
    return _minutes(statistics.median(samples) * position)


def _minutes(seconds: float) -> float:
    """Rounded to the nearest minute, halves up (150 s is 3 minutes)."""
    return float(math.floor(seconds / MINUTE_S + 0.5)) * MINUTE_S


class RecentWaits:
    """The last ``size`` waits (seconds), oldest first; ``estimate`` as ``estimate_s``.

    A value: ``add`` returns the waits with one more (the queue's state is immutable).
    """

    __slots__ = ("_median", "_size", "_waits")

    def __init__(self, size: int = SAMPLES, waits: Iterable[float] = ()) -> None:
        self._size = size
        self._waits: tuple[float, ...] = tuple(max(0.0, w) for w in waits)[-size:] if size else ()
        # one median per change, not one per position told
        self._median = statistics.median(self._waits) if self._waits else None

    def add(self, waited_s: float) -> RecentWaits:
        return RecentWaits(self._size, (*self._waits, max(0.0, waited_s)))

    def __len__(self) -> int:
        return len(self._waits)

    def __iter__(self) -> Iterator[float]:
        return iter(self._waits)

    def estimate(self, position: int) -> float | None:
        if self._median is None or position < 1:
            return None
        return _minutes(self._median * position)
