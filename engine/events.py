"""Journal events: every state change of the engine, as frozen dataclasses.

An event names its stream (``dialog:<id>``, ``operator:<id>``, ``node``), has a
type tag and a ``VERSION``; ``to_new_event`` turns it into the journal port's
``NewEvent`` (its fields, except ``at``, become the JSON-able ``data``) and
``from_record`` turns a stored ``Record`` back into the event. A record written
by an older version of the code is first passed through the upcaster
registered for its ``(type, version)``, which returns the data in the next
version's shape, until the current version is reached.

History events of a dialog carry the dialog's ``seq`` (gap-free from 1): they
are the entries replayed to a visitor or operator who resumes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from frontdesk.engine.errors import JournalError
from frontdesk.engine.journal import NewEvent, Record


@dataclass(frozen=True, kw_only=True)
class Event:
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    JOURNALED: ClassVar[bool] = True
    at: float

    @property
    def stream(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class DialogEvent(Event):
    dialog: str

    @property
    def stream(self) -> str:
        return f"dialog:{self.dialog}"


@dataclass(frozen=True, kw_only=True)
class OperatorEvent(Event):
    operator: str

    @property
    def stream(self) -> str:
        return f"operator:{self.operator}"


# --- dialog -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DialogOpened(DialogEvent):
    TYPE: ClassVar[str] = "dialog.opened"
    seq: int
    number: int
    token_hash: str
    visitor_name: str
    info: dict[str, str] = field(default_factory=dict)
    priority: int = 0
    monitored_by: str = ""  # a monitored dialog: the operator who opened it (OpenMonitored)


@dataclass(frozen=True, kw_only=True)
class MonitoredLink(DialogEvent):
    """The dialog is a monitored one, opened by operator ``by`` for a person reached another
    way; ``link_hash`` is its single-purpose link's token hash (not a history entry)."""

    TYPE: ClassVar[str] = "dialog.monitored"
    by: str
    link_hash: str
    expires_at: float


@dataclass(frozen=True, kw_only=True)
class MonitoredLinkUsed(DialogEvent):
    """The link was exchanged: ``token_hash`` is the dialog's visitor token from now on."""

    TYPE: ClassVar[str] = "dialog.link_used"
    token_hash: str


@dataclass(frozen=True, kw_only=True)
class DialogAssigned(DialogEvent):
    TYPE: ClassVar[str] = "dialog.assigned"
    seq: int
    operator: str
    operator_name: str


@dataclass(frozen=True, kw_only=True)
class MessagePosted(DialogEvent):
    TYPE: ClassVar[str] = "dialog.message"
    seq: int
    author: str  # "visitor" | "operator" | "manager" | "system"
    name: str
    text: str
    ref: str | None = None
    operator: str | None = None
    # the rendered forms, kept with the source so a replay or a backup shows the same
    # (docs/protocol.md "Formatted text"); a record of before they existed has the defaults
    format: str = "plain"
    html: str = ""
    plain: str = ""


@dataclass(frozen=True, kw_only=True)
class DialogTransferred(DialogEvent):
    TYPE: ClassVar[str] = "dialog.transferred"
    seq: int
    from_operator: str
    from_name: str
    to_operator: str
    to_name: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DialogRequeued(DialogEvent):
    """The holder logged out (or was given up): the dialog waits again."""

    TYPE: ClassVar[str] = "dialog.requeued"
    seq: int
    operator: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LookingForInfo(DialogEvent):
    TYPE: ClassVar[str] = "dialog.looking_for_info"
    seq: int
    operator_name: str
    reminder: bool


@dataclass(frozen=True, kw_only=True)
class ImportantMarked(DialogEvent):
    TYPE: ClassVar[str] = "dialog.important"
    seq: int
    important: bool


@dataclass(frozen=True, kw_only=True)
class HelpRequested(DialogEvent):
    TYPE: ClassVar[str] = "dialog.help_requested"
    seq: int
    operator: str
    text: str


@dataclass(frozen=True, kw_only=True)
class HelpAcked(DialogEvent):
    """A manager acknowledged the dialog's help request: they are on it (staff only)."""

    TYPE: ClassVar[str] = "dialog.help_acked"
    seq: int
    manager: str
    name: str


@dataclass(frozen=True, kw_only=True)
class HelpResolved(DialogEvent):
    """The help request was resolved, by a manager or the holder: its trace (staff only)."""

    TYPE: ClassVar[str] = "dialog.help_resolved"
    seq: int
    author: str  # "manager" | "operator"
    author_id: str
    name: str
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class InternalMessage(DialogEvent):
    """A message between a manager and the dialog's operator (staff only)."""

    TYPE: ClassVar[str] = "dialog.internal"
    seq: int
    author: str  # "manager" | "operator"
    author_id: str
    name: str
    text: str


@dataclass(frozen=True, kw_only=True)
class MailRecorded(DialogEvent):
    TYPE: ClassVar[str] = "dialog.mail"
    seq: int
    kind: str
    to: str
    status: str
    text: str


@dataclass(frozen=True, kw_only=True)
class FileAttached(DialogEvent):
    TYPE: ClassVar[str] = "dialog.file"
    seq: int
    file: str
    name: str
    size: int
    mime: str
    thumbnail: bool
    author: str
    author_name: str


@dataclass(frozen=True, kw_only=True)
class SurveySent(DialogEvent):
    """A survey sent to the visitor, its questions as they were when sent; its ``seq`` is
    the survey's number in the dialog (what the answer names)."""

    TYPE: ClassVar[str] = "dialog.survey"
    seq: int
    template: int
    title: str
    questions: list[dict[str, Any]]
    operator: str
    operator_name: str
    # the survey a close sent (engine/close_survey.py): answered until then, after the
    # close; 0: one the operator sent, answered only while the dialog is open
    answer_until: float = 0.0


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(DialogEvent):
    TYPE: ClassVar[str] = "dialog.survey_answered"
    seq: int
    survey: int
    answers: list[Any]
    questions: list[dict[str, Any]] = field(default_factory=list)  # those answered (a copy)


@dataclass(frozen=True, kw_only=True)
class MonitorSet(DialogEvent):
    """A manager starts or stops monitoring from one socket (not a history entry)."""

    TYPE: ClassVar[str] = "dialog.monitor"
    manager: str
    on: bool
    socket: str = ""  # which of the manager's sockets (tabs); "" in records before it


@dataclass(frozen=True, kw_only=True)
class TakeOverAsked(DialogEvent):
    """A manager asked to move the dialog (take over): who and to whom, for the audit list
    (not a history entry; the move itself is the ``dialog.transferred`` that follows)."""

    TYPE: ClassVar[str] = "dialog.take_over"
    manager: str
    name: str
    to: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DialogClosed(DialogEvent):
    TYPE: ClassVar[str] = "dialog.closed"
    seq: int
    by: str
    reason: str


# --- operator -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OperatorLoggedIn(OperatorEvent):
    TYPE: ClassVar[str] = "operator.logged_in"
    name: str
    capacity: int | None = None  # None: the configured default
    status: str = "connected"


@dataclass(frozen=True, kw_only=True)
class StatusSet(OperatorEvent):
    TYPE: ClassVar[str] = "operator.status"
    status: str


@dataclass(frozen=True, kw_only=True)
class OperatorInternal(OperatorEvent):
    """A general internal message between the managers and the operator (no dialog)."""

    TYPE: ClassVar[str] = "operator.internal"
    n: int  # its number in the operator's conversation, from 1
    author: str  # "manager" | "operator"
    author_id: str
    name: str
    text: str


@dataclass(frozen=True, kw_only=True)
class CapacitySet(OperatorEvent):
    TYPE: ClassVar[str] = "operator.capacity"
    capacity: int


@dataclass(frozen=True, kw_only=True)
class OperatorLoggedOut(OperatorEvent):
    TYPE: ClassVar[str] = "operator.logged_out"


# --- registry -----------------------------------------------------------------------

EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        DialogOpened,
        DialogAssigned,
        MonitoredLink,
        MonitoredLinkUsed,
        MessagePosted,
        DialogTransferred,
        DialogRequeued,
        LookingForInfo,
        ImportantMarked,
        HelpRequested,
        HelpAcked,
        HelpResolved,
        InternalMessage,
        MailRecorded,
        FileAttached,
        SurveySent,
        SurveyAnswered,
        MonitorSet,
        TakeOverAsked,
        DialogClosed,
        OperatorLoggedIn,
        StatusSet,
        OperatorInternal,
        CapacitySet,
        OperatorLoggedOut,
    )
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(type_: str, from_version: int, upcast: Upcaster) -> None:
    """Register how data of ``type_`` at ``from_version`` becomes ``from_version + 1``."""
    _UPCASTERS[(type_, from_version)] = upcast


_DATA_FIELDS: dict[type, tuple[str, ...]] = {}


def to_new_event(event: Event) -> NewEvent:
    names = _DATA_FIELDS.get(type(event))
    if names is None:
        names = _DATA_FIELDS[type(event)] = tuple(
            f.name for f in dataclasses.fields(event) if f.name != "at")
    data = {name: getattr(event, name) for name in names}
    return NewEvent(
        stream=event.stream, type=event.TYPE, version=event.VERSION, data=data, at=event.at
    )


def from_record(record: Record) -> Event:
    cls = EVENT_TYPES.get(record.type)
    if cls is None:
        raise JournalError(f"cannot read record {record.seq}: unknown event type {record.type!r}")
    data = dict(record.data)
    version = record.version
    while version < cls.VERSION:
        upcast = _UPCASTERS.get((record.type, version))
        if upcast is None:
            raise JournalError(
                f"cannot read record {record.seq}: no upcaster for {record.type} v{version}"
            )
        data = upcast(data)
        version += 1
    if version > cls.VERSION:
        raise JournalError(
            f"cannot read record {record.seq}: {record.type} v{version} is newer than this"
            f" code (v{cls.VERSION})"
        )
    try:
        return cls(at=record.at, **data)
    except TypeError as e:
        raise JournalError(f"cannot read record {record.seq} ({record.type}): {e}") from None
