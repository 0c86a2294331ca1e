"""Commands: what the outside asks of the engine.

Adapters build these after authenticating the connection; the engine checks
everything that depends on state (who holds a dialog, whose token it is,
whether a status allows it) and answers each command with exactly one
``Ack`` or ``Rejected`` notice to the command's reply address, sent only once
what the command changed is durable in the journal.

Every command has ``ref``: the client's correlation id, echoed in the answer, and
``ACTION``: what it asks in words, for the refusals people read (``action(command)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from frontdesk.engine.status import Status

Closer = Literal["visitor", "operator", "manager", "timeout"]


@dataclass(frozen=True)
class Command:
    # what the command asks, in words for people: refusals read "cannot <ACTION>: why"
    # ("cannot send a message in dialog d-1: it is closed"), never the class name
    ACTION: ClassVar[str] = "do that"
    ref: str | None = field(default=None, kw_only=True)


def action(command: Command) -> str:
    """What ``command`` asks, for a refusal's message: ``close dialog d-1``, ``log out``."""
    return command.ACTION.format(dialog=getattr(command, "dialog_id", "?"),
                                 survey=getattr(command, "survey", "?"),
                                 operator=getattr(command, "operator_id", "?"))


# --- operators ---------------------------------------------------------------


@dataclass(frozen=True)
class OperatorLogin(Command):
    ACTION: ClassVar[str] = "log in"
    operator_id: str
    name: str
    capacity: int | None = None  # None: the configured default


@dataclass(frozen=True)
class OperatorLogout(Command):
    ACTION: ClassVar[str] = "log out"
    operator_id: str
    # why, as the operator's dialogs' dialog.requeued says it ("": they logged out)
    reason: str = ""


@dataclass(frozen=True)
class SetStatus(Command):
    ACTION: ClassVar[str] = "set the status"
    operator_id: str
    status: Status


@dataclass(frozen=True)
class SetCapacity(Command):
    ACTION: ClassVar[str] = "set the capacity"
    operator_id: str
    capacity: int


@dataclass(frozen=True)
class OperatorSay(Command):
    ACTION: ClassVar[str] = "send a message in dialog {dialog}"
    operator_id: str
    dialog_id: str
    text: str
    format: str = "plain"  # how ``text`` is written: "plain" or "markdown"
    html: str = ""  # its safe HTML, rendered by the adapter where it entered
    plain: str = ""  # its plain-text form ("": ``text`` itself)


@dataclass(frozen=True)
class Transfer(Command):
    ACTION: ClassVar[str] = "transfer dialog {dialog}"
    operator_id: str
    dialog_id: str
    to_operator_id: str
    note: str = ""


@dataclass(frozen=True)
class OperatorClose(Command):
    ACTION: ClassVar[str] = "close dialog {dialog}"
    operator_id: str
    dialog_id: str


@dataclass(frozen=True)
class MarkImportant(Command):
    ACTION: ClassVar[str] = "mark dialog {dialog} important"
    operator_id: str
    dialog_id: str
    important: bool = True


@dataclass(frozen=True)
class AskForHelp(Command):
    ACTION: ClassVar[str] = "ask for help in dialog {dialog}"
    operator_id: str
    dialog_id: str
    text: str = ""


@dataclass(frozen=True)
class OpenMonitored(Command):
    """An operator opens a dialog for a person reached another way (phone, e-mail): the
    dialog is the operator's from the start (no queue), flagged monitored, with the
    operator's first message. ``link_hash`` is the hash of the single-purpose link token
    mailed to the person, good for ``link_expiry_s`` from now (engine clock) and taken
    once (``UseMonitoredLink``); ``token_hash`` is a visitor token nobody holds until
    then. The adapter validated the name, address and text."""

    ACTION: ClassVar[str] = "open a monitored dialog"
    operator_id: str
    operator_name: str
    visitor_name: str
    email: str
    text: str
    token_hash: str
    link_hash: str
    link_expiry_s: float
    format: str = "plain"
    html: str = ""
    plain: str = ""


@dataclass(frozen=True)
class SendSurvey(Command):
    """The holder sends a survey: the template's questions, frozen as they are now (the
    adapter read them from the templates; ``engine/survey_answers.py`` says their shape)."""

    ACTION: ClassVar[str] = "send a survey in dialog {dialog}"
    operator_id: str
    dialog_id: str
    template: int
    title: str
    questions: tuple[dict[str, Any], ...]


# --- visitors -------------------------------------------------------------------


@dataclass(frozen=True)
class UseMonitoredLink(Command):
    """The person of a monitored dialog follows the mailed link: its token (``link_hash``)
    is exchanged, once and before it expires, for a fresh visitor token (``token_hash``)
    that replaces the dialog's. Refused ``forbidden`` (not this dialog's link),
    ``link_used`` or ``link_expired``."""

    ACTION: ClassVar[str] = "open dialog {dialog} by its link"
    dialog_id: str
    link_hash: str
    token_hash: str



@dataclass(frozen=True)
class OpenDialog(Command):
    """Open a dialog. ``token_hash`` is the hash of the visitor's secret token;
    the adapter keeps the token itself and hands it to the visitor."""

    ACTION: ClassVar[str] = "open a dialog"
    token_hash: str
    visitor_name: str = ""
    info: tuple[tuple[str, str], ...] = ()
    priority: int = 0


@dataclass(frozen=True)
class VisitorSay(Command):
    ACTION: ClassVar[str] = "send a message in dialog {dialog}"
    dialog_id: str
    token_hash: str
    text: str
    format: str = "plain"  # how ``text`` is written: "plain" or "markdown"
    html: str = ""  # its safe HTML, rendered by the adapter where it entered
    plain: str = ""  # its plain-text form ("": ``text`` itself)


@dataclass(frozen=True)
class VisitorClose(Command):
    ACTION: ClassVar[str] = "close dialog {dialog}"
    dialog_id: str
    token_hash: str


@dataclass(frozen=True)
class AnswerSurvey(Command):
    """The visitor answers survey ``survey`` (the seq of its ``dialog.survey`` entry) once:
    one answer per question, in order, None for one left out."""

    ACTION: ClassVar[str] = "answer survey {survey} of dialog {dialog}"
    dialog_id: str
    token_hash: str
    survey: int
    answers: tuple[Any, ...]


# --- either side ------------------------------------------------------------------


@dataclass(frozen=True)
class Typing(Command):
    """Typing indicator; not journaled, not acknowledged."""

    ACTION: ClassVar[str] = "show typing in dialog {dialog}"
    dialog_id: str
    on: bool
    operator_id: str | None = None  # None: the visitor (then token_hash is required)
    token_hash: str = ""


# --- the server's own ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordMail(Command):
    """The mail adapter reports what became of a mail about a dialog (a transcript): an
    internal entry, for staff only. Not a client frame: only the server submits it."""

    ACTION: ClassVar[str] = "record a mail in dialog {dialog}"
    dialog_id: str
    kind: str  # "transcript"
    to: str
    status: Literal["queued", "sent", "failed"]
    text: str  # "sent to a@b" / "to a@b failed after 3 tries: reason"


@dataclass(frozen=True)
class RecordFile(Command):
    """The file adapter stored an upload of a participant (checked by the route, which read
    the dialog as that participant): a ``dialog.file`` entry, for everyone in the dialog.
    Not a client frame: only the server submits it, once the bytes are stored."""

    ACTION: ClassVar[str] = "record a file in dialog {dialog}"
    dialog_id: str
    file: str  # the file's id (its download path is /api/files/<file>)
    name: str  # already safe
    size: int
    mime: str  # sniffed
    thumbnail: bool
    author: Literal["visitor", "operator", "manager"]
    author_name: str = ""


@dataclass(frozen=True)
class VisitorPresence(Command):
    """The visitor's sockets changed: ``here`` (a page in view), ``away`` (every page
    hidden) or ``left`` (no socket). Told to staff, not journaled. Only the server
    submits it (``frontdesk.web.visitor_presence``), never a client frame."""

    ACTION: ClassVar[str] = "note the visitor's presence in dialog {dialog}"
    dialog_id: str
    presence: Literal["here", "away", "left"]


@dataclass(frozen=True)
class VisitorLeft(Command):
    """The visitor had no socket for ``after_s`` (``server.visitor_grace_s``): the dialog
    closes, freeing the operator's slot. Only the server submits it."""

    ACTION: ClassVar[str] = "close dialog {dialog} of a visitor who left"
    dialog_id: str
    after_s: float


# --- managers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Monitor(Command):
    """A manager starts (or stops) monitoring a dialog from one of their sockets
    (``socket``, a tab): the dialog counts as monitored while any socket monitors it, so
    a manager closing one of two tabs watching it leaves it monitored."""

    ACTION: ClassVar[str] = "monitor dialog {dialog}"
    manager_id: str
    dialog_id: str
    on: bool = True
    socket: str = ""


@dataclass(frozen=True)
class ManagerClose(Command):
    ACTION: ClassVar[str] = "close dialog {dialog}"
    manager_id: str
    dialog_id: str


@dataclass(frozen=True)
class InternalMessage(Command):
    """A message between a manager and the dialog's operator, for staff only: the visitor
    never receives it (``dialog.internal``). ``author`` says which side writes; an
    operator must hold the dialog, a manager may write into any open dialog that is held."""

    ACTION: ClassVar[str] = "send an internal message in dialog {dialog}"
    author: Literal["manager", "operator"]
    author_id: str
    author_name: str
    dialog_id: str
    text: str


@dataclass(frozen=True)
class HelpAck(Command):
    """A manager acknowledges the dialog's help request: they are on it (``dialog.help_acked``,
    staff only). Refused when no request waits, or another manager acknowledged it first;
    the same manager again is answered with that entry (a resend is safe)."""

    ACTION: ClassVar[str] = "acknowledge the help request in dialog {dialog}"
    manager_id: str
    manager_name: str
    dialog_id: str


@dataclass(frozen=True)
class HelpResolve(Command):
    """A manager, or the dialog's holder, resolves its help request: ``dialog.help_resolved``,
    the trace in the dialog's internal history (staff only)."""

    ACTION: ClassVar[str] = "resolve the help request in dialog {dialog}"
    author: Literal["manager", "operator"]
    author_id: str
    author_name: str
    dialog_id: str
    text: str = ""


@dataclass(frozen=True)
class OperatorInternal(Command):
    """A general internal message, tied to no dialog, between the managers and operator
    ``operator_id`` (``author`` says which side writes; an operator writes only to the
    managers, as ``operator_id`` themselves): an ``operator.internal`` event on the
    operator's stream, for staff only. Refused when the operator is not logged in."""

    ACTION: ClassVar[str] = "send an internal message to {operator}"
    author: Literal["manager", "operator"]
    author_id: str
    author_name: str
    operator_id: str
    text: str


@dataclass(frozen=True)
class ManagerSay(Command):
    """A manager writes to the visitor of a dialog: a ``dialog.message`` of author
    ``manager``, under the manager's name (the operator's console marks it)."""

    ACTION: ClassVar[str] = "send a message in dialog {dialog}"
    manager_id: str
    manager_name: str
    dialog_id: str
    text: str
    format: str = "plain"
    html: str = ""
    plain: str = ""


@dataclass(frozen=True)
class TakeOver(Command):
    """A manager moves a dialog to another operator, or to themselves (an account that is
    also an operator, logged in to the console): the holder's transfer, started by the
    dialog on the manager's behalf, its note saying who took it over."""

    ACTION: ClassVar[str] = "take over dialog {dialog}"
    manager_id: str
    manager_name: str
    dialog_id: str
    to_operator_id: str
    note: str = ""
