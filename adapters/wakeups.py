"""Calls handed from any thread to the trio loop, batched (the bridge's wake-ups)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import trio

log = logging.getLogger("frontdesk.bridge")


class Wakeups:
    """Calls handed from any thread to the trio loop, in order, one wake-up per batch.

    No lock: ``deque.append`` and ``popleft`` are atomic, and the flag is cleared
    before the drain empties the deque, so a call appended after the drain looked
    is either taken by this drain or finds the flag clear and schedules the next one
    (at worst a wake-up with nothing to do).
    """

    def __init__(self, token: trio.lowlevel.TrioToken) -> None:
        self._token = token
        self._calls: deque[tuple[Callable[[Any], None], Any]] = deque()
        self._scheduled = False
        self.batches = 0
        self.calls = 0

    def post(self, fn: Callable[[Any], None], arg: Any) -> None:
        """Run ``fn(arg)`` on the trio thread soon; dropped once the loop has ended.
        ``fn`` must not raise (what it raises is logged and swallowed)."""
        self._calls.append((fn, arg))
        if self._scheduled:
            return
        self._scheduled = True
        try:
            self._token.run_sync_soon(self._drain)
        except trio.RunFinishedError:
            self._calls.clear()
            self._scheduled = False

    def _drain(self) -> None:
        self._scheduled = False
        self.batches += 1
        calls, take = self._calls, self._calls.popleft
        while calls:
            fn, arg = take()
            self.calls += 1
            try:
                fn(arg)
            except Exception:  # never let anything escape into the run loop
                log.exception("a bridged call failed")
