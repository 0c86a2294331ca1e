"""Performing effects: telling actors, delivering notices, answering commands.

The store performs the effects of a commit once its events are durable. A commit
that carries no event and whose actor has nothing waiting at the store has nothing
to wait for, so the actor performs it itself (``EngineActor.commit``): that is
most of routing (offers, acceptances, queue broadcasts), which then costs no
thread hop. Both go through one ``Effects``, so a subscriber that raises is
dropped once for everyone.

``CommitTrack`` is how an actor knows it has nothing waiting: it counts the
commits it sent (written by the actor only) and the ones the store finished
(written by the store only), so no lock is needed.
"""

from __future__ import annotations

import logging

from frontdesk.engine import messages, notices
from frontdesk.engine.directory import MANAGERS, Directory

log = logging.getLogger("frontdesk.engine.store")

DROPPED_KEPT = 1000


class CommitTrack:
    __slots__ = ("performed", "sent")

    def __init__(self) -> None:
        self.sent = 0
        self.performed = 0

    @property
    def idle(self) -> bool:
        return self.sent == self.performed


class Effects:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        # subscribers that raised (the last DROPPED_KEPT): an insertion-ordered set, as this
        # is checked for every notice, on the engine's thread and the store's
        self._dropped: dict[notices.Subscriber, None] = {}

    def perform(self, origin: str, effect: messages.Effect) -> None:
        if isinstance(effect, messages.Tell):
            self.directory.send(effect.address, effect.message, origin)
        elif isinstance(effect, messages.Reply):
            self.call(effect.reply_to, effect.notice)
        elif isinstance(effect, messages.Deliver):
            for sub in effect.subscribers:
                self.call(sub, effect.notice)
            if effect.managers:
                for sub in self.directory.watchers(MANAGERS):
                    self.call(sub, effect.notice)
        elif isinstance(effect, messages.Publish):  # not resolved by the actor: managers only
            for sub in self.directory.watchers(MANAGERS):
                self.call(sub, effect.notice)

    def call(self, subscriber: notices.Subscriber | None, notice: notices.Notice) -> None:
        if subscriber is None or subscriber in self._dropped:
            return
        try:
            subscriber(notice)
        except Exception:
            log.warning("dropping a subscriber that raised on %s", notice.TYPE, exc_info=True)
            self._dropped[subscriber] = None
            if len(self._dropped) > DROPPED_KEPT:
                self._dropped.pop(next(iter(self._dropped)), None)
            self.directory.drop_subscriber(subscriber)
