"""A stand-in for the trio loop that hosts a served engine (``Engine.host``): one thread
that runs what it is given, in order, as ``trio.lowlevel.TrioToken.run_sync_soon`` does.

The engine suite runs on it with ``--engine-dispatcher=hosted``: every actor and the
store on this one thread, the journal's appends on the journal's (docs/harness.md).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("frontdesk.engine.testing.host_loop")


class LoopEndedError(RuntimeError):
    """The loop has ended: it runs nothing more (trio's ``RunFinishedError``)."""


class HostLoop:
    def __init__(self, name: str = "host-loop") -> None:
        self._calls: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._ended = False
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def run_sync_soon(self, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._ended:
                raise LoopEndedError("the host loop has ended")
            self._calls.put(fn)

    def close(self) -> None:
        """End the loop after what it was given (what comes later is refused)."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
            self._calls.put(None)
        if threading.current_thread() is not self.thread:
            self.thread.join(10)

    def _run(self) -> None:
        while (fn := self._calls.get()) is not None:
            try:
                fn()
            except Exception:  # as trio would: a callback must not raise
                log.exception("a call on the host loop raised")
