"""The watchers of each address, each with the audience it watches as.

Kept apart from the actors (in the directory) so that they survive an actor's restart.
A subscriber is added once per address; ``drop`` forgets one everywhere (it raised).
"""

from __future__ import annotations

import threading

from frontdesk.engine import notices


class Watchers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_address: dict[str, dict[notices.Subscriber, notices.Audience]] = {}

    def of(self, address: str) -> tuple[notices.Subscriber, ...]:
        with self._lock:
            return tuple(self._by_address.get(address, ()))

    def audiences(self, address: str) -> tuple[tuple[notices.Subscriber, notices.Audience], ...]:
        """The watchers of ``address`` with the audience each was added as."""
        with self._lock:
            return tuple(self._by_address.get(address, {}).items())

    def add(self, address: str, subscriber: notices.Subscriber, audience: notices.Audience) -> None:
        with self._lock:
            subs = self._by_address.setdefault(address, {})
            if subscriber not in subs:
                subs[subscriber] = audience

    def remove(self, address: str, subscriber: notices.Subscriber) -> None:
        with self._lock:
            self._by_address.get(address, {}).pop(subscriber, None)

    def forget(self, address: str) -> None:
        """Nobody lives at ``address`` any more: its watchers go."""
        with self._lock:
            self._by_address.pop(address, None)

    def drop(self, subscriber: notices.Subscriber) -> None:
        with self._lock:
            for subs in self._by_address.values():
                subs.pop(subscriber, None)
