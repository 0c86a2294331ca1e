"""An operator's state and how one event changes it (``apply``): the fold that both the
OperatorActor and the replay run. What a message *does* to an operator — the decisions —
is in ``frontdesk.engine.operator_state``, which also exports these names.

Held and reserved dialogs and the transfers it started are not journaled on the
operator's stream (the dialogs' own events are the truth, and a restarted operator gets
them from the projection): they change through *memos*, events that are applied but
never journaled, one typed event per change (``SlotReserved``, ``DialogHeld``, ...).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

from frontdesk.engine import events as engine_events
from frontdesk.engine import messages as engine_messages
from frontdesk.engine import notices
from frontdesk.engine.status import Status

RECENT_KEPT = 100
MESSAGES_KEPT = 200


class Presence(Enum):
    """The operator's phase in its transition table (``operator_state.TRANSITIONS``)."""

    LOGGED_IN = "logged in"
    LOGGED_OUT = "logged out"


@dataclass(frozen=True)
class OperatorState:
    id: str
    name: str
    capacity: int
    status: Status = Status.CONNECTED
    status_since: float = 0.0
    logged_in: bool = True
    held: dict[str, notices.DialogAdded] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()
    last_assigned_at: float = 0.0
    # not journaled
    # transfer id -> (dialog, ref, reply_to) of the transfers this operator started
    pending: dict[str,
                  tuple[str, str | None, notices.Subscriber | None]] = field(default_factory=dict)
    recent_closed: tuple[str, ...] = ()
    next_tid: int = 1
    # the general internal conversation with the managers (operator.internal), the latest
    # MESSAGES_KEPT; journaled on the operator's stream, so a restart keeps them
    messages: tuple[notices.OperatorInternal, ...] = ()

    @property
    def address(self) -> str:
        return f"operator:{self.id}"

    @property
    def presence(self) -> Presence:
        return Presence.LOGGED_IN if self.logged_in else Presence.LOGGED_OUT

    @property
    def load(self) -> int:
        return len(self.held) + len(self.reserved)

    def availability(self) -> engine_messages.Availability:
        return engine_messages.Availability(
            self.id,
            self.name,
            self.logged_in,
            self.status.value,
            self.load,
            self.capacity,
            self.last_assigned_at,
        )


# --- memos: applied, never journaled ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Memo(engine_events.OperatorEvent):
    """The root of the operator's memos."""

    TYPE: ClassVar[str] = "memo"
    JOURNALED: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class SlotReserved(Memo):
    """A slot kept for ``dialog`` on its way (an accepted offer: ``assigned`` is set, the
    time the queue's fairness counts; an accepted transfer: it is not)."""

    dialog: str
    assigned: bool = False


@dataclass(frozen=True, kw_only=True)
class SlotReleased(Memo):
    """The slot kept for ``dialog`` is free again (it did not come)."""

    dialog: str


@dataclass(frozen=True, kw_only=True)
class DialogHeld(Memo):
    """The dialog came (assigned or transferred in): reserved -> held."""

    added: notices.DialogAdded


@dataclass(frozen=True, kw_only=True)
class DialogLeft(Memo):
    """The operator holds ``dialog`` no more; ``closed``: it was closed (remembered, so a
    transfer of it is refused ``closed``)."""

    dialog: str
    closed: bool


@dataclass(frozen=True, kw_only=True)
class TransferStarted(Memo):
    tid: str
    dialog: str
    ref: str | None
    reply_to: notices.Subscriber | None


@dataclass(frozen=True, kw_only=True)
class TransferEnded(Memo):
    tid: str


# --- apply -------------------------------------------------------------------------------------


def logged_in(e: engine_events.OperatorLoggedIn, default_capacity: int) -> OperatorState:
    cap = default_capacity if e.capacity is None else e.capacity
    return OperatorState(
        id=e.operator, name=e.name, capacity=cap, status=Status(e.status), status_since=e.at
    )


def _apply_memo(s: OperatorState, e: Memo) -> OperatorState:
    replace = dataclasses.replace
    if isinstance(e, SlotReserved):
        if e.assigned:
            return replace(s, reserved=s.reserved | {e.dialog}, last_assigned_at=e.at)
        return replace(s, reserved=s.reserved | {e.dialog})
    if isinstance(e, SlotReleased):
        return replace(s, reserved=s.reserved - {e.dialog})
    if isinstance(e, DialogHeld):
        d = e.added.dialog
        return replace(s, held={**s.held, d: e.added}, reserved=s.reserved - {d})
    if isinstance(e, DialogLeft):
        held = {k: v for k, v in s.held.items() if k != e.dialog}
        recent = (*s.recent_closed, e.dialog)[-RECENT_KEPT:] if e.closed else s.recent_closed
        return replace(s, held=held, recent_closed=recent)
    if isinstance(e, TransferStarted):
        pending = {**s.pending, e.tid: (e.dialog, e.ref, e.reply_to)}
        return replace(s, pending=pending, next_tid=s.next_tid + 1)
    if isinstance(e, TransferEnded):
        return replace(s, pending={k: v for k, v in s.pending.items() if k != e.tid})
    raise TypeError(f"operator {s.id}: no fold for the memo {type(e).__name__}")


def apply(s: OperatorState, e: engine_events.Event) -> OperatorState:
    if isinstance(e, Memo):
        return _apply_memo(s, e)
    if isinstance(e, engine_events.StatusSet):
        return dataclasses.replace(s, status=Status(e.status), status_since=e.at)
    if isinstance(e, engine_events.CapacitySet):
        return dataclasses.replace(s, capacity=e.capacity)
    if isinstance(e, engine_events.OperatorInternal):
        note = notices.OperatorInternal(e.operator, e.n, e.at, e.author, e.author_id, e.name,
                                        e.text)
        return dataclasses.replace(s, messages=(*s.messages, note)[-MESSAGES_KEPT:])
    if isinstance(e, engine_events.OperatorLoggedOut):
        return dataclasses.replace(s, logged_in=False)
    if isinstance(e, engine_events.OperatorLoggedIn):
        return dataclasses.replace(s, name=e.name, logged_in=True)
    return s


def applied(s: OperatorState, *events: engine_events.Event) -> OperatorState:
    """``s`` with ``events`` folded in (what a decision's effects must describe)."""
    for e in events:
        s = apply(s, e)
    return s


def availability_to_queue(s: OperatorState) -> engine_messages.Tell:
    """The queue's view of ``s``, sent at every change of status, capacity or load."""
    return engine_messages.Tell("queue", s.availability())


def refused(cmd: engine_messages.Inbound, code: str, message: str,
            dialog: str | None = None) -> engine_messages.Decision:
    """``cmd`` answered Rejected ``code``, nothing else done."""
    rej = notices.Rejected(cmd.command.ref, code, message, dialog)
    return engine_messages.Decision((), (engine_messages.Reply(cmd.reply_to, rej),))
