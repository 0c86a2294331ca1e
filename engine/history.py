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

from frontdesk.engine import events, notices


class History(Sequence[notices.DialogNotice]):
    __slots__ = ("_entries", "_length")

    def __init__(self, entries: Sequence[notices.DialogNotice] = ()) -> None:
        self._entries: list[notices.DialogNotice] = list(entries)
        self._length = len(self._entries)

    @classmethod
    def _view(cls, entries: list[notices.DialogNotice], length: int) -> History:
        view = object.__new__(cls)
        view._entries, view._length = entries, length
        return view

    def appended(self, note: notices.DialogNotice) -> History:
        """This history and ``note`` after it (``note.seq`` above every entry's)."""
        if self._length == len(self._entries):
            self._entries.append(note)
            return History._view(self._entries, self._length + 1)
        return History._view([*self._entries[: self._length], note], self._length + 1)

    def after(self, seq: int) -> Iterator[notices.DialogNotice]:
        """The entries with a seq above ``seq``, in order (a replay from ``after_seq``)."""
        start = bisect.bisect_right(self._entries, seq, 0, self._length, key=lambda h: h.seq)
        return islice(self._entries, start, self._length)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> notices.DialogNotice: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[notices.DialogNotice]: ...
    def __getitem__(self,
                    index: int | slice) -> notices.DialogNotice | Sequence[notices.DialogNotice]:
        if isinstance(index, slice):
            return tuple(self._entries[: self._length][index])
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"history index {index} out of range (length {self._length})")
        return self._entries[index]

    def __iter__(self) -> Iterator[notices.DialogNotice]:
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

    def appended(self, note: notices.DialogNotice) -> History:
        return self

    def __repr__(self) -> str:
        return "NO_HISTORY"


NO_HISTORY: History = _NoHistory()


def entry(e: events.Event) -> notices.DialogNotice | None:
    """The history entry (the notice published) for a dialog event; None if not one."""
    if isinstance(e, events.DialogOpened):
        return notices.DialogOpened(e.dialog, e.seq, e.at, e.visitor_name, dict(e.info),
                              e.monitored_by)
    if isinstance(e, events.DialogAssigned):
        return notices.DialogAssigned(e.dialog, e.seq, e.at, e.operator, e.operator_name)
    if isinstance(e, events.MessagePosted):
        author: notices.Author = (
            "visitor"
            if e.author == "visitor"
            else (
                "operator"
                if e.author == "operator"
                else ("manager" if e.author == "manager" else "system")
            )
        )
        return notices.MessagePosted(e.dialog, e.seq, e.at, author, e.name, e.plain or e.text,
                                     e.ref,
                               e.format, e.text, e.html)
    if isinstance(e, events.DialogTransferred):
        return notices.DialogTransferred(
            e.dialog, e.seq, e.at, e.from_operator, e.from_name, e.to_operator, e.to_name, e.note
        )
    if isinstance(e, events.DialogRequeued):
        return notices.DialogRequeued(e.dialog, e.seq, e.at, e.operator, e.reason)
    if isinstance(e, events.LookingForInfo):
        return notices.LookingForInfo(e.dialog, e.seq, e.at, e.operator_name, e.reminder)
    if isinstance(e, events.ImportantMarked):
        return notices.ImportantMarked(e.dialog, e.seq, e.at, e.important)
    if isinstance(e, events.HelpRequested):
        return notices.HelpRequested(e.dialog, e.seq, e.at, e.operator, e.text)
    if isinstance(e, events.HelpAcked):
        return notices.HelpAcked(e.dialog, e.seq, e.at, e.manager, e.name)
    if isinstance(e, events.HelpResolved):
        return notices.HelpResolved(e.dialog, e.seq, e.at, e.author, e.author_id, e.name, e.text)
    if isinstance(e, events.InternalMessage):
        return notices.InternalMessage(e.dialog, e.seq, e.at, e.author, e.author_id, e.name, e.text)
    if isinstance(e, events.MailRecorded):
        return notices.MailRecorded(e.dialog, e.seq, e.at, e.kind, e.to, e.status, e.text)
    if isinstance(e, events.FileAttached):
        return notices.FileAttached(e.dialog, e.seq, e.at, e.file, e.name, e.size, e.mime,
                              e.thumbnail, e.author, e.author_name)
    if isinstance(e, events.SurveySent):
        return notices.SurveySent(e.dialog, e.seq, e.at, e.template, e.title, e.questions,
                            e.operator_name, e.answer_until)
    if isinstance(e, events.SurveyAnswered):
        return notices.SurveyAnswered(e.dialog, e.seq, e.at, e.survey, e.answers, e.questions)
    if isinstance(e, events.DialogClosed):
        return notices.DialogClosed(e.dialog, e.seq, e.at, e.by, e.reason)
    return None
