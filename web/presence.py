"""Which operators have a socket, and the grace period before an absent one is logged out.

An operator stays logged in to the engine while it has at least one socket;
when its last socket goes, a timer of ``operator_grace_s`` starts on the
engine's clock (so tests drive it with ``ManualClock``). If no socket came back
when it fires, the server submits ``OperatorLogout``. A page reload or a short
network loss therefore keeps the operator's dialogs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from frontdesk.adapters.bridge import Bridge
from frontdesk.engine.api import EnginePort
from frontdesk.engine.clock import Clock, TimerHandle
from frontdesk.engine.commands import OperatorLogout

log = logging.getLogger("frontdesk.web")


class Presence:
    def __init__(self, engine_of: Callable[[], EnginePort], clock: Clock, grace_s: float) -> None:
        self._engine_of = engine_of  # the engine may be replaced (failover)
        self._clock = clock
        self.grace_s = grace_s
        self.sockets: Counter[str] = Counter()
        self._timers: dict[str, TimerHandle] = {}
        self.logouts = 0

    def attach(self, operator_id: str) -> None:
        """Trio thread: a socket of the operator opened."""
        self.sockets[operator_id] += 1
        timer = self._timers.pop(operator_id, None)
        if timer is not None:
            timer.cancel()

    def detach(self, operator_id: str, bridge: Bridge, *, logged_out: bool = False) -> None:
        """Trio thread: a socket of the operator closed (``logged_out``: by ``logout``)."""
        self.sockets[operator_id] -= 1
        if self.sockets[operator_id] > 0:
            return
        del self.sockets[operator_id]
        if logged_out:
            return

        def fire() -> None:  # clock thread: hop to the trio thread, decide there
            bridge.call_soon(lambda: self._expire(operator_id, handle))

        handle = self._clock.call_later(self.grace_s, fire)
        self._timers[operator_id] = handle

    def _expire(self, operator_id: str, handle: TimerHandle) -> None:
        if self._timers.get(operator_id) is not handle or self.sockets[operator_id] > 0:
            return
        del self._timers[operator_id]
        log.info("operator %s had no socket for %.0f s: logging out", operator_id, self.grace_s)
        self.logouts += 1
        why = f"the operator was disconnected for {self.grace_s:g} s"
        self._engine_of().submit(OperatorLogout(operator_id, why))

    def forget(self, operator_id: str) -> None:
        """The operator logged out on purpose: no grace timer."""
        timer = self._timers.pop(operator_id, None)
        if timer is not None:
            timer.cancel()
