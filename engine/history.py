"""A dialog's history: the entry (the notice published and replayed) for each of its
events, and ``History``, the entries held once however many states of the dialog there are.

Theory of operation. A dialog's state is a frozen value, and every message makes a new
one; a history kept as a tuple was copied whole at each (the cost per message grew with
the dialog's length). A ``History`` is a list that only grows and the length this state
sees: ``appended`` puts the entry at the end of the same list when this state is its
latest (the only case on the actor's path: one writer, the dialog's own actor, each new
state from the last one), so successive states share one list; an older state that is
appended to (a test that decides twice from one state) gets a copy of its own prefix
instead, so no state ever sees another's entries. ``NO_HISTORY`` is the history of a
summary (what the projection keeps: every field of the state but the entries);
appending to it keeps nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import overload

from frontdesk.engine import events as ev
from frontdesk.engine import notices as n


class History(Sequence[n.DialogNotice]):
    __slots__ = ("_entries", "_length")

    def __init__(self, entries: Sequence[n.DialogNotice] = ()) -> None:
        self._entries: list[n.DialogNotice] = list(entries)
        self._length = len(self._entries)

    @classmethod
    def _view(cls, entries: list[n.DialogNotice], length: int) -> History:
        view = object.__new__(cls)
        view._entries, view._length = entries, length
        return view

    def appended(self, note: n.DialogNotice) -> History:
        """This history and ``note`` after it (``note.seq`` above every entry's)."""
        if self._length == len(self._entries):
            self._entries.append(note)
            return History._view(self._entries, self._length + 1)
        return History._view([*self._entries[: self._length], note], self._length + 1)

    def after(self, seq: int) -> Iterator[n.DialogNotice]:
        """The entries with a seq above ``seq``, in order (a replay from ``after_seq``)."""
        start = bisect.bisect_right(self._entries, seq, 0, self._length, key=lambda h: h.seq)
        return islice(self._entries, start, self._length)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> n.DialogNotice: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[n.DialogNotice]: ...
    def __getitem__(self, index: int | slice) -> n.DialogNotice | Sequence[n.DialogNotice]:
        if isinstance(index, slice):
            return tuple(self._entries[: self._length][index])
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"history index {index} out of range (length {self._length})")
        return self._entries[index]

    def __iter__(self) -> Iterator[n.DialogNotice]:
        return islice(self._entries, self._length)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return self._length == other._length and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"History({self._length} entries)"


class _NoHistory(History):
    """A summary's history: nothing is kept (the projection's dialogs)."""

    __slots__ = ()

    def appended(self, note: n.DialogNotice) -> History:
        return self

    def __repr__(self) -> str:
        return "NO_HISTORY"


NO_HISTORY: History = _NoHistory()


def entry(e: ev.Event) -> n.DialogNotice | None:
    """The history entry (the notice published) for a dialog event; None if not one."""
    if isinstance(e, ev.DialogOpenedEv):
        return n.DialogOpened(e.dialog, e.seq, e.at, e.visitor_name, dict(e.info),
                              e.monitored_by)
    if isinstance(e, ev.DialogAssignedEv):
        return n.DialogAssigned(e.dialog, e.seq, e.at, e.operator, e.operator_name)
    if isinstance(e, ev.MessagePostedEv):
        author: n.Author = (
            "visitor"
            if e.author == "visitor"
            else (
                "operator"
                if e.author == "operator"
                else ("manager" if e.author == "manager" else "system")
            )
        )
        return n.MessagePosted(e.dialog, e.seq, e.at, author, e.name, e.plain or e.text, e.ref,
                               e.format, e.text, e.html)
    if isinstance(e, ev.DialogTransferredEv):
        return n.DialogTransferred(
            e.dialog, e.seq, e.at, e.from_operator, e.from_name, e.to_operator, e.to_name, e.note
        )
    if isinstance(e, ev.DialogRequeuedEv):
        return n.DialogRequeued(e.dialog, e.seq, e.at, e.operator, e.reason)
    if isinstance(e, ev.LookingForInfoEv):
        return n.LookingForInfo(e.dialog, e.seq, e.at, e.operator_name, e.reminder)
    if isinstance(e, ev.ImportantMarkedEv):
        return n.ImportantMarked(e.dialog, e.seq, e.at, e.important)
    if isinstance(e, ev.HelpRequestedEv):
        return n.HelpRequested(e.dialog, e.seq, e.at, e.operator, e.text)
    if isinstance(e, ev.HelpAckedEv):
        return n.HelpAcked(e.dialog, e.seq, e.at, e.manager, e.name)
    if isinstance(e, ev.HelpResolvedEv):
        return n.HelpResolved(e.dialog, e.seq, e.at, e.author, e.author_id, e.name, e.text)
    if isinstance(e, ev.InternalMessageEv):
        return n.InternalMessage(e.dialog, e.seq, e.at, e.author, e.author_id, e.name, e.text)
    if isinstance(e, ev.MailRecordedEv):
        return n.MailRecorded(e.dialog, e.seq, e.at, e.kind, e.to, e.status, e.text)
    if isinstance(e, ev.FileAttachedEv):
        return n.FileAttached(e.dialog, e.seq, e.at, e.file, e.name, e.size, e.mime,
                              e.thumbnail, e.author, e.author_name)
    if isinstance(e, ev.SurveySentEv):
        return n.SurveySent(e.dialog, e.seq, e.at, e.template, e.title, e.questions,
                            e.operator_name)
    if isinstance(e, ev.SurveyAnsweredEv):
        return n.SurveyAnswered(e.dialog, e.seq, e.at, e.survey, e.answers, e.questions)
    if isinstance(e, ev.DialogClosedEv):
        return n.DialogClosed(e.dialog, e.seq, e.at, e.by, e.reason)
    return None
