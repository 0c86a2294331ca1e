"""Notices: what the engine tells the outside.

A notice goes to a ``Subscriber``, a thread-safe callable that must not block
(the web bridge pushes it into a bounded trio channel; the test harness's
probe records it). ``to_wire()`` gives the JSON frame of ``docs/protocol.md``:
the ``type`` tag plus the fields, with every notice about a dialog carrying
``dialog`` and that dialog's ``seq``.

Dialog notices with ``in_history = True`` are entries of the dialog's history:
their ``seq`` is their own, gap-free from 1, and they are replayed on resume.
The others (position, typing) are ephemeral and carry the dialog's current
``seq`` (that of its latest history entry).

Every notice has an **audience** (``audience``: a set of ``visitor``,
``operator``, ``manager``), decided here, by the engine, not by a page: the
help requests, the Important flag and a transfer's note are for staff only
and never reach a visitor's subscriber, live or on replay
(``engine/audience.py`` splits a delivery by its watchers' audiences).
``for_audience(who)`` is the form ``who`` gets: the notice itself, a
narrower one (a visitor's ``dialog.transferred`` names who it now talks
with, without the note or the operators' ids), or None (not for ``who``).
Internal entries keep their ``seq`` in the dialog's one sequence, so a
visitor sees gaps: its cursor (the highest seq it has seen) still resumes
exactly, as the replay is every entry after it that is meant for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

Author = Literal["visitor", "operator", "manager", "system"]
Audience = Literal["visitor", "operator", "manager"]

EVERYONE: frozenset[Audience] = frozenset(("visitor", "operator", "manager"))
STAFF: frozenset[Audience] = frozenset(("operator", "manager"))


@dataclass(frozen=True)
class Notice:
    TYPE: ClassVar[str] = ""
    # a newer notice of this type replaces one still waiting to be sent (adapters/bridge.py)
    LATEST_VALUE: ClassVar[bool] = False
    # who may receive it (see the module docstring); a subclass narrows it
    AUDIENCE: ClassVar[frozenset[Audience]] = EVERYONE

    @property
    def audience(self) -> frozenset[Audience]:
        return self.AUDIENCE

    def for_audience(self, who: Audience) -> Notice | None:
        """The form of this notice ``who`` receives; None: not for ``who``."""
        return self if who in self.audience else None

    def same_for_everyone(self) -> bool:
        """Whether every audience gets this very notice (the fast path of a delivery)."""
        cls = type(self)
        return cls.AUDIENCE == EVERYONE and cls.for_audience is Notice.for_audience

    def to_wire(self) -> dict[str, Any]:
        """A new flat dict: ``type`` then the fields, values shared, not copied.

        Notices are frozen and their values are never mutated, so a shallow
        frame is enough (``dataclasses.asdict`` deep-copied every dict and tuple,
        a fifth of a busy server's time); tuples serialise as JSON lists.
        """
        cls = type(self)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(self))
        frame: dict[str, Any] = {"type": self.TYPE}
        for name in names:
            frame[name] = getattr(self, name)
        return frame


_FIELD_NAMES: dict[type[Notice], tuple[str, ...]] = {}  # per class, filled on first use


Subscriber = Callable[[Notice], None]


# --- answers to commands -----------------------------------------------------------


@dataclass(frozen=True)
class Ack(Notice):
    """The command ``ref`` took effect and is durable."""

    TYPE: ClassVar[str] = "ack"
    ref: str | None
    dialog: str | None = None
    seq: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected(Notice):
    """The command ``ref`` was refused; nothing changed. ``code`` is stable."""

    TYPE: ClassVar[str] = "error"
    ref: str | None
    code: str
    message: str
    dialog: str | None = None


# --- dialog history entries (replayed on resume) -----------------------------------


@dataclass(frozen=True)
class DialogNotice(Notice):
    in_history: ClassVar[bool] = True
    dialog: str
    seq: int
    at: float


@dataclass(frozen=True)
class DialogOpened(DialogNotice):
    TYPE: ClassVar[str] = "dialog.opened"
    visitor_name: str
    info: dict[str, str]
    monitored_by: str = ""  # staff only: the operator who opened this monitored dialog

    def for_audience(self, who: Audience) -> Notice | None:
        if who == "visitor" and self.monitored_by:  # who set it up is staff's business
            return DialogOpened(self.dialog, self.seq, self.at, self.visitor_name, self.info)
        return self


@dataclass(frozen=True)
class DialogAssigned(DialogNotice):
    TYPE: ClassVar[str] = "dialog.assigned"
    operator: str
    operator_name: str


@dataclass(frozen=True)
class MessagePosted(DialogNotice):
    TYPE: ClassVar[str] = "dialog.message"
    author: Author
    name: str
    text: str
    ref: str | None = None
    format: str = "plain"  # how ``source`` is written
    source: str = ""  # the text as written ("": ``text``)
    html: str = ""  # its safe HTML ("": not rendered yet; the adapter renders it)


@dataclass(frozen=True)
class DialogTransferred(DialogNotice):
    TYPE: ClassVar[str] = "dialog.transferred"
    from_operator: str
    from_name: str
    to_operator: str
    to_name: str
    note: str

    def for_audience(self, who: Audience) -> Notice | None:
        if who == "visitor":  # who the visitor talks with now; the note is for staff
            return VisitorTransferred(self.dialog, self.seq, self.at, self.from_name, self.to_name)
        return self


@dataclass(frozen=True)
class VisitorTransferred(DialogNotice):
    """What a visitor sees of ``dialog.transferred``: the names, no note, no ids."""

    TYPE: ClassVar[str] = "dialog.transferred"
    from_name: str
    to_name: str


@dataclass(frozen=True)
class LookingForInfo(DialogNotice):
    """The operator is looking for information (``reminder`` after the delay)."""

    TYPE: ClassVar[str] = "dialog.looking_for_info"
    operator_name: str
    reminder: bool


@dataclass(frozen=True)
class ImportantMarked(DialogNotice):
    TYPE: ClassVar[str] = "dialog.important"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    important: bool


@dataclass(frozen=True)
class HelpRequested(DialogNotice):
    TYPE: ClassVar[str] = "dialog.help_requested"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    operator: str
    text: str


@dataclass(frozen=True)
class HelpAcked(DialogNotice):
    """A manager is on the dialog's help request (``manager`` their login, ``name``)."""

    TYPE: ClassVar[str] = "dialog.help_acked"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    manager: str
    name: str


@dataclass(frozen=True)
class HelpResolved(DialogNotice):
    """The help request was resolved: the trace in the dialog's internal history."""

    TYPE: ClassVar[str] = "dialog.help_resolved"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    author: str
    author_id: str
    name: str
    text: str


@dataclass(frozen=True)
class InternalMessage(DialogNotice):
    """A message between a manager and the dialog's operator: staff only, never on a
    visitor's wire (``author``: ``manager`` or ``operator``; ``author_id`` their login)."""

    TYPE: ClassVar[str] = "dialog.internal"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    author: str
    author_id: str
    name: str
    text: str


@dataclass(frozen=True)
class MailRecorded(DialogNotice):
    """What became of a mail about the dialog (a transcript): queued, sent or failed."""

    TYPE: ClassVar[str] = "dialog.mail"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    kind: str
    to: str
    status: str
    text: str


@dataclass(frozen=True)
class FileAttached(DialogNotice):
    """A file sent into the dialog by its visitor or its staff: an entry for everyone in it
    (``docs/protocol.md``, "Files"); the bytes are at ``/api/files/<file>``."""

    TYPE: ClassVar[str] = "dialog.file"
    AUDIENCE: ClassVar[frozenset[Audience]] = EVERYONE
    file: str
    name: str
    size: int
    mime: str
    thumbnail: bool
    author: str
    author_name: str


@dataclass(frozen=True)
class SurveySent(DialogNotice):
    """A survey for the visitor to answer once (``docs/protocol.md``, "Surveys"); its
    ``seq`` is the number its answer names."""

    TYPE: ClassVar[str] = "dialog.survey"
    template: int
    title: str
    questions: list[dict[str, Any]]
    operator_name: str
    answer_until: float = 0.0  # sent with the close: answerable until then (0: while open)


@dataclass(frozen=True)
class SurveyAnswered(DialogNotice):
    """The visitor's answers to survey ``survey``, one per question (None: left out)."""

    TYPE: ClassVar[str] = "dialog.survey_answered"
    survey: int
    answers: list[Any]
    questions: list[dict[str, Any]]  # the questions answered, so the entry reads alone


@dataclass(frozen=True)
class DialogRequeued(DialogNotice):
    """The holder logged out (or its actor was given up): the dialog waits again."""

    TYPE: ClassVar[str] = "dialog.requeued"
    operator: str
    reason: str


@dataclass(frozen=True)
class DialogClosed(DialogNotice):
    TYPE: ClassVar[str] = "dialog.closed"
    by: str
    reason: str


# --- ephemeral dialog notices -------------------------------------------------------


@dataclass(frozen=True)
class QueuePosition(Notice):
    """Sent to a waiting visitor whenever its position changes (1 = next).

    A latest value: when the head of a long queue leaves, every waiting visitor's position
    changes at once, so a socket gets the newest at most once per pacing interval."""

    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.position"
    LATEST_VALUE: ClassVar[bool] = True
    dialog: str
    seq: int
    position: int
    # the estimated wait in whole minutes, as seconds (0: less than a minute); None: no
    # assignment yet to estimate from (engine.wait_estimate)
    estimated_wait_s: float | None = None


@dataclass(frozen=True)
class TypingChanged(Notice):
    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.typing"
    dialog: str
    seq: int
    who: Literal["visitor", "operator"]
    on: bool

    def for_audience(self, who: Audience) -> Notice | None:
        """The other side and the managers: never echoed to the side that types."""
        return None if who == self.who else self


@dataclass(frozen=True)
class MonitoringChanged(Notice):
    """Whether a manager monitors the dialog (``watched``), for staff only; not in the
    history. The operator's endpoint passes it on only when ``[supervision]
    show_monitoring`` is on."""

    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.monitoring"
    dialog: str
    seq: int
    watched: bool

    def for_audience(self, who: Audience) -> Notice | None:
        return None if who == "visitor" else self


@dataclass(frozen=True)
class PresenceChanged(Notice):
    """The visitor's presence (here / away / left), for staff only; not in the history."""

    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.presence"
    dialog: str
    seq: int
    presence: Literal["here", "away", "left"]

    def for_audience(self, who: Audience) -> Notice | None:
        return None if who == "visitor" else self


@dataclass(frozen=True)
class HistoryGone(Notice):
    """A resume asked for entries after ``after_seq`` that can no longer be replayed."""

    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.history_gone"
    dialog: str
    seq: int
    after_seq: int


@dataclass(frozen=True)
class DialogDiscontinuity(Notice):
    """A resume whose cursor ``(epoch, seq)`` is not this node's history: the entries the
    client holds after ``after_seq`` were discarded by a failover (their seqs may be
    reused). The client drops them; the entries after ``after_seq`` follow, then live.
    ``seq`` and ``epoch`` are the dialog's latest entry here."""

    in_history: ClassVar[bool] = False
    TYPE: ClassVar[str] = "dialog.discontinuity"
    dialog: str
    seq: int
    after_seq: int
    epoch: int


# --- operator notices -----------------------------------------------------------------


@dataclass(frozen=True)
class StatusChanged(Notice):
    TYPE: ClassVar[str] = "operator.status"
    operator: str
    status: str
    since: float


@dataclass(frozen=True)
class OperatorInternal(Notice):
    """A general internal message between the managers and ``operator`` (tied to no dialog):
    staff only, on the operator's endpoint (their console's Internal tab) and the managers'.
    ``n`` numbers the operator's conversation from 1 (the console's unread count)."""

    TYPE: ClassVar[str] = "operator.internal"
    AUDIENCE: ClassVar[frozenset[Audience]] = STAFF
    operator: str
    n: int
    at: float
    author: str
    author_id: str
    name: str
    text: str


@dataclass(frozen=True)
class DialogAdded(Notice):
    """A dialog is now this operator's (assigned from the queue, or transferred in)."""

    TYPE: ClassVar[str] = "operator.dialog_added"
    operator: str
    dialog: str
    seq: int
    visitor_name: str
    transferred_from: str | None = None
    transferred_from_name: str | None = None
    note: str = ""
    monitored: bool = False  # an operator's monitored dialog (OpenMonitored)


@dataclass(frozen=True)
class DialogRemoved(Notice):
    """A dialog is no longer this operator's (closed, or transferred out)."""

    TYPE: ClassVar[str] = "operator.dialog_removed"
    operator: str
    dialog: str
    seq: int
    reason: str


@dataclass(frozen=True)
class QueueLength(Notice):
    TYPE: ClassVar[str] = "queue.length"
    LATEST_VALUE: ClassVar[bool] = True
    length: int


@dataclass(frozen=True)
class OperatorsChanged(Notice):
    """The logged-in operators (for the transfer list): id, name, status, load, capacity."""

    TYPE: ClassVar[str] = "operators"
    LATEST_VALUE: ClassVar[bool] = True
    operators: tuple[dict[str, Any], ...]


# --- node notices (managers) ----------------------------------------------------------


@dataclass(frozen=True)
class ActorFailed(Notice):
    """An actor crashed more often than the restart intensity allows and was given up."""

    TYPE: ClassVar[str] = "node.actor_failed"
    address: str
    restarts: int
    error: str
