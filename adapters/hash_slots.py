"""A bound on concurrent password hashes, shared by every thread of the process.

argon2id holds ``memory_cost`` (64 MiB by default) for the whole of each computation:
without a bound, 48 parallel wrong logins took a server from 59 MiB to 2.37 GiB. With
``HashSlots(n)`` the hashing memory is at most ``n x memory_cost``; a caller that finds
no free slot within ``wait_s`` gets ``HashingBusyError`` (the web layer answers 503 with
``Retry-After``). Every argon2 call of ``frontdesk.adapters.accounts.Accounts`` takes a slot: a
login, HTTP Basic, a password change, the dummy check of an unknown login.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from frontdesk.adapters.account_models import HashingBusyError


class HashSlots:
    """At most ``slots`` computations at once; a caller waits at most ``wait_s`` for one."""

    def __init__(self, slots: int, wait_s: float) -> None:
        if slots < 1 or wait_s < 0:
            raise ValueError(
                f"hash slots: expected slots >= 1 and wait_s >= 0, got {slots}, {wait_s}"
            )
        self.slots = slots
        self.wait_s = wait_s
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0  # the most computations seen at once
        self.done = 0
        self.refused = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._free.acquire(timeout=self.wait_s):
            with self._lock:
                self.refused += 1
            raise HashingBusyError(self.slots, self.wait_s)
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
                self.done += 1
            self._free.release()
