"""What a client has read: the frames kept, in order, and ways to wait for one.

Dialog history entries are deduplicated here by ``(dialog, seq)``: the log
keeps the highest seq seen per dialog and drops anything at or below it (a
replay after a reconnection may overlap what already came).

The cursor of a dialog is ``(epoch, seq)`` of its latest entry (``last_epoch``,
``last_seq``); a resume sends both. A ``dialog.discontinuity`` answers a cursor that
is not the serving node's history (a failover discarded entries this client holds,
and their seqs may be reused): the entries after its ``after_seq`` leave the dialog's
view (``entries``; kept in ``dropped``), the cursor goes back to ``after_seq``, and the
replay that follows is taken as new.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import trio

from frontdesk.adapters.client.http import ClientError
from frontdesk.engine.notices import DialogNotice

Frame = dict[str, Any]
Match = str | Callable[[Frame], bool] | dict[str, Any]


def _history_types() -> frozenset[str]:
    found: set[str] = set()
    stack: list[type[DialogNotice]] = [DialogNotice]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.TYPE and cls.in_history:
            found.add(cls.TYPE)
    return frozenset(found)


HISTORY_TYPES = _history_types()  # the dialog entries: deduplicated by (dialog, seq)


def matches(frame: Frame, match: Match) -> bool:
    if isinstance(match, str):
        return frame.get("type") == match
    if isinstance(match, dict):
        return all(frame.get(k) == v for k, v in match.items())
    return match(frame)


class FrameLog:
    """The read side of a client (mixed into ``ClientBase``)."""

    def __init__(self) -> None:
        self.received: list[Frame] = []  # every frame kept, in order
        self.duplicates: list[Frame] = []  # history entries dropped as already seen
        self.last_seq: dict[str, int] = {}
        self.last_epoch: dict[str, int] = {}  # the epoch of the entry at last_seq
        self.entries: dict[str, list[Frame]] = {}  # each dialog's history as this client has it
        self.dropped: list[Frame] = []  # entries a discontinuity took out of ``entries``
        self.close_codes: list[int] = []
        self._close_cursor = 0
        self._cursor = 0
        self._changed = trio.Event()
        self._fatal: BaseException | None = None

    def keep(self, frame: Frame) -> bool:
        """False for a history entry already seen (it goes to ``duplicates``)."""
        dialog = frame.get("dialog")
        if not isinstance(dialog, str):
            return True
        kind = frame.get("type")
        if kind in HISTORY_TYPES:
            seq = int(frame.get("seq", 0))
            if seq <= self.last_seq.get(dialog, 0):
                self.duplicates.append(frame)
                return False
            self.last_seq[dialog] = seq
            epoch = frame.get("epoch")
            if isinstance(epoch, int):
                self.last_epoch[dialog] = epoch
            else:
                self.last_epoch.pop(dialog, None)
            self.entries.setdefault(dialog, []).append(frame)
        elif kind == "dialog.discontinuity":
            self._discontinuity(dialog, int(frame.get("after_seq", 0)))
        return True

    def _discontinuity(self, dialog: str, after_seq: int) -> None:
        """Drop the entries of ``dialog`` after ``after_seq``; the cursor goes back there."""
        held = self.entries.get(dialog, [])
        kept = [f for f in held if int(f.get("seq", 0)) <= after_seq]
        self.dropped.extend(f for f in held if int(f.get("seq", 0)) > after_seq)
        self.entries[dialog] = kept
        if kept:
            self.last_seq[dialog] = int(kept[-1].get("seq", 0))
            epoch = kept[-1].get("epoch")
            if isinstance(epoch, int):
                self.last_epoch[dialog] = epoch
            else:
                self.last_epoch.pop(dialog, None)
        else:
            self.last_seq.pop(dialog, None)
            self.last_epoch.pop(dialog, None)

    def cursor(self, dialog: str) -> dict[str, int]:
        """The resume fields of ``dialog``: ``after_seq`` and, when known, ``after_epoch``."""
        fields = {"after_seq": self.last_seq.get(dialog, 0)}
        if dialog in self.last_epoch and fields["after_seq"] > 0:
            fields["after_epoch"] = self.last_epoch[dialog]
        return fields

    def _notify(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    async def _wait_change(self) -> None:
        await self._changed.wait()

    async def expect(self, match: Match, timeout: float = 5.0) -> Frame:
        """The next frame (after the previous ``expect``) matching ``match``; consumes up to it."""
        with trio.move_on_after(timeout):
            while True:
                while self._cursor < len(self.received):
                    frame = self.received[self._cursor]
                    self._cursor += 1
                    if matches(frame, match):
                        return frame
                if self._fatal is not None:
                    raise self._fatal
                await self._wait_change()
        recent = [f.get("type") for f in self.received[-20:]]
        raise ClientError(f"expected a frame matching {match!r} within {timeout} s; "
                          f"last frames: {recent}")

    async def wait_for(self, match: Match, timeout: float = 5.0, since: int = 0) -> Frame:
        """The first frame at index >= ``since`` of ``received`` matching; consumes nothing."""
        index = since
        with trio.move_on_after(timeout):
            while True:
                while index < len(self.received):
                    frame = self.received[index]
                    index += 1
                    if matches(frame, match):
                        return frame
                if self._fatal is not None:
                    raise self._fatal
                await self._wait_change()
        raise ClientError(f"no frame matching {match!r} within {timeout} s")

    async def expect_close(self, timeout: float = 5.0) -> int:
        """Wait until the server closes the socket; return its close code."""
        with trio.move_on_after(timeout):
            while len(self.close_codes) <= self._close_cursor:
                await self._wait_change()
            self._close_cursor += 1
            return self.close_codes[self._close_cursor - 1]
        raise ClientError(f"the server did not close the socket within {timeout} s")

    async def frames(self) -> AsyncIterator[Frame]:
        """Every frame from now on (after those already consumed), as it comes."""
        while True:
            while self._cursor < len(self.received):
                self._cursor += 1
                yield self.received[self._cursor - 1]
            await self._wait_change()

    def seen(self, match: Match) -> list[Frame]:
        return [f for f in self.received if matches(f, match)]
