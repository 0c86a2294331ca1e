"""``Changes``: a table's change counter and listeners, for the tables that replicate as
rows (``adapters/replication/row_link.py``): the link reads the table only when ``changes``
moved, and a listener wakes the replication stream loop so a change crosses at once."""

from __future__ import annotations

from collections.abc import Callable


class Changes:
    """Mixed into a store: call ``_init_changes()`` in its constructor, ``_changed()``
    after each change it makes."""

    changes: int
    _listeners: list[Callable[[], None]]

    def _init_changes(self) -> None:
        self.changes = 0  # bumped by every change
        self._listeners = []

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the writing thread, must not block) after each change."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        self.changes += 1
        for listener in self._listeners:
            listener()
