"""Commands: what the outside asks of the engine.

Adapters build these after authenticating the connection; the engine checks
everything that depends on state (who holds a dialog, whose token it is,
whether a status allows it) and answers each command with exactly one
``Ack`` or ``Rejected`` notice to the command's reply address, sent only once
what the command changed is durable in the journal.

Every command has ``ref``: the client's correlation id, echoed in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.status import Status

Closer = Literal["visitor", "operator", "manager", "timeout"]


@dataclass(frozen=True)
class Command:
    ref: str | None = field(default=None, kw_only=True)


# --- operators ---------------------------------------------------------------


@dataclass(frozen=True)
class OperatorLogin(Command):
    operator_id: str
    name: str
    capacity: int | None = None  # None: the configured default


@dataclass(frozen=True)
class OperatorLogout(Command):
    operator_id: str


@dataclass(frozen=True)
class SetStatus(Command):
    operator_id: str
    status: Status


@dataclass(frozen=True)
class SetCapacity(Command):
    operator_id: str
    capacity: int


@dataclass(frozen=True)
class OperatorSay(Command):
    operator_id: str
    dialog_id: str
    text: str


@dataclass(frozen=True)
class Transfer(Command):
    operator_id: str
    dialog_id: str
    to_operator_id: str
    note: str = ""


@dataclass(frozen=True)
class OperatorClose(Command):
    operator_id: str
    dialog_id: str


@dataclass(frozen=True)
class MarkImportant(Command):
    operator_id: str
    dialog_id: str
    important: bool = True


@dataclass(frozen=True)
class AskForHelp(Command):
    operator_id: str
    dialog_id: str
    text: str = ""


# --- visitors -------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDialog(Command):
    """Open a dialog. ``token_hash`` is the hash of the visitor's secret token;
    the adapter keeps the token itself and hands it to the visitor."""

    token_hash: str
    visitor_name: str = ""
    info: tuple[tuple[str, str], ...] = ()
    priority: int = 0


@dataclass(frozen=True)
class VisitorSay(Command):
    dialog_id: str
    token_hash: str
    text: str


@dataclass(frozen=True)
class VisitorClose(Command):
    dialog_id: str
    token_hash: str


# --- either side ------------------------------------------------------------------


@dataclass(frozen=True)
class Typing(Command):
    """Typing indicator; not journaled, not acknowledged."""

    dialog_id: str
    on: bool
    operator_id: str | None = None  # None: the visitor (then token_hash is required)
    token_hash: str = ""


# --- managers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Monitor(Command):
    """A manager starts (or stops) monitoring a dialog."""

    manager_id: str
    dialog_id: str
    on: bool = True


@dataclass(frozen=True)
class ManagerClose(Command):
    manager_id: str
    dialog_id: str
