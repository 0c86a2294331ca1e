"""Which visitors have a socket on their dialog, and whether a page of theirs is in view.

Every visitor socket watching a dialog (``open`` or ``resume``; several tabs of one
visitor are several sockets) is counted here with its page's visibility, which the
widget reports with the ``presence`` frame (``visibilitychange``). The dialog's
presence is ``here`` while a page is in view, ``away`` while every page is hidden,
``left`` when no socket is left; each change is submitted as ``VisitorPresence`` and
shown to staff. When the last socket goes, a timer of ``visitor_grace_s`` starts on
the engine's clock (tests drive it with ``ManualClock``); if no socket came back when
it fires, ``VisitorLeft`` closes the dialog with that reason, freeing the operator's
slot. A reload or a short network loss therefore changes nothing but a brief "left".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from frontdesk.adapters.bridge import Bridge
from frontdesk.engine.api import EnginePort
from frontdesk.engine.clock import Clock, TimerHandle
from frontdesk.engine.commands import VisitorLeft, VisitorPresence

log = logging.getLogger("frontdesk.web")

State = Literal["here", "away", "left"]


class VisitorPresenceTracker:
    def __init__(self, engine_of: Callable[[], EnginePort], clock: Clock, grace_s: float) -> None:
        self._engine_of = engine_of  # the engine may be replaced (failover)
        self._clock = clock
        self.grace_s = grace_s
        self.sockets: dict[str, dict[int, bool]] = {}  # dialog -> socket id -> page hidden
        self._told: dict[str, State] = {}
        self._timers: dict[str, TimerHandle] = {}
        self.closed = 0  # dialogs closed because their visitor left

    def state(self, dialog: str) -> State:
        pages = self.sockets.get(dialog)
        if not pages:
            return "left"
        return "away" if all(pages.values()) else "here"

    def attach(self, dialog: str, socket: int, hidden: bool = False) -> None:
        """Trio thread: a visitor socket watches ``dialog`` (again)."""
        self.sockets.setdefault(dialog, {})[socket] = hidden
        timer = self._timers.pop(dialog, None)
        if timer is not None:
            timer.cancel()
        self._tell(dialog)

    def set_hidden(self, dialog: str, socket: int, hidden: bool) -> None:
        """Trio thread: the page of that socket went out of view (or back)."""
        pages = self.sockets.get(dialog)
        if pages is None or socket not in pages:
            return
        pages[socket] = hidden
        self._tell(dialog)

    def detach(self, dialog: str, socket: int, bridge: Bridge) -> None:
        """Trio thread: the socket closed, or stopped watching ``dialog``."""
        pages = self.sockets.get(dialog)
        if pages is None or pages.pop(socket, None) is None:
            return
        if pages:
            self._tell(dialog)
            return
        del self.sockets[dialog]
        self._tell(dialog)

        def fire() -> None:  # clock thread: hop to the trio thread, decide there
            bridge.call_soon(lambda: self._expire(dialog, handle))

        handle = self._clock.call_later(self.grace_s, fire)
        self._timers[dialog] = handle

    def _tell(self, dialog: str) -> None:
        state = self.state(dialog)
        if self._told.get(dialog) == state:
            return
        self._told[dialog] = state
        self._engine_of().submit(VisitorPresence(dialog, state))

    def _expire(self, dialog: str, handle: TimerHandle) -> None:
        if self._timers.get(dialog) is not handle or self.sockets.get(dialog):
            return
        del self._timers[dialog]
        self._told.pop(dialog, None)
        log.info("visitor of dialog %s had no socket for %.0f s: closing", dialog, self.grace_s)
        self.closed += 1
        self._engine_of().submit(VisitorLeft(dialog, self.grace_s))
