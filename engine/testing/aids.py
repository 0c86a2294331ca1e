"""Test aids that plug into a running engine: holding an address back, arming crashes.

Neither is part of the engine: each plugs into a narrow hook of it, and the harness
(``engine/testing/harness.py``) installs them on every engine it makes.

* ``Holds`` is the directory's ``Holding``: while an address is held, what is sent to it
  stays in its ledger, not told (``settle`` ignores it); ``release`` tells it, in order.
* ``CrashArms`` is the actors' ``Faults`` (``engine/actor.py``): the next message an
  address handles (or its next ``on_start``) raises ``InjectedCrash``.
"""

from __future__ import annotations

import threading

from frontdesk.engine.directory import Directory


class Holds:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._held: set[str] = set()
        directory.holds = self

    def hold(self, address: str) -> None:
        self._held.add(address)

    def release(self, address: str) -> None:
        self._held.discard(address)
        self._directory.deliver_kept(address)  # what came meanwhile is kept behind it

    # --- the directory's Holding -----------------------------------------------------

    def keeps(self, address: str) -> bool:
        return address in self._held

    def addresses(self) -> list[str]:
        return sorted(self._held)


class CrashArms:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arms: dict[tuple[str, bool], int] = {}

    def arm(self, address: str, in_start: bool = False, times: int = 1) -> None:
        with self._lock:
            key = (address, in_start)
            self._arms[key] = self._arms.get(key, 0) + times

    # --- the actors' Faults ------------------------------------------------------------

    def take(self, address: str, in_start: bool) -> bool:
        with self._lock:
            key = (address, in_start)
            left = self._arms.get(key, 0)
            if left <= 0:
                return False
            self._arms[key] = left - 1
            return True
