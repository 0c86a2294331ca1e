"""Messages between the engine's actors, and the effects a state machine asks for.

Actors never call each other: they ``send`` one of these through the
``Directory`` (engine/directory.py). After a state change an actor does not
send directly either: it hands the store a ``Commit(events, effects)``; the
store appends the events and only then performs the effects, in order. The
effects are the four dataclasses at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from frontdesk.engine.commands import Command
from frontdesk.engine.events import Event
from frontdesk.engine.journal import NewEvent
from frontdesk.engine.notices import Notice, Subscriber

if TYPE_CHECKING:
    from frontdesk.engine.effects import CommitTrack

# --- from the outside ------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    """A command from an adapter, with where its one Ack or Rejected goes."""

    command: Command
    reply_to: Subscriber | None


@dataclass(frozen=True)
class Watch:
    subscriber: Subscriber
    after_seq: int = 0
    token_hash: str | None = None
    operator_id: str | None = None
    manager_id: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Unwatch:
    subscriber: Subscriber


@dataclass(frozen=True)
class WatchClosed:
    """To the store: ``watch`` is for a dialog no actor holds (closed, or unknown).

    The store replays its history from the journal if the watcher may see it,
    and ends there: nothing more will come."""

    dialog: str
    watch: Watch


@dataclass(frozen=True)
class AnswerClosedSurvey:
    """To the store: ``answer`` (an ``AnswerSurvey``) is for a closed dialog, whose
    actor is gone or leaving. The store reads the dialog's stream and decides it
    (``engine/close_survey.py``), appending the answer itself."""

    dialog: str
    answer: Inbound


# --- operators <-> queue <-> dialogs --------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """What the queue knows of an operator; sent by the operator at every change."""

    operator: str
    name: str
    logged_in: bool
    status: str
    load: int  # held + reserved
    capacity: int
    last_assigned_at: float


@dataclass(frozen=True)
class Enqueue:
    dialog: str
    number: int
    priority: int
    head: bool = False  # requeued (its operator vanished): back at the head of the queue


@dataclass(frozen=True)
class Dequeue:
    """The dialog left the queue (assigned or closed); ``waited_s``: how long it waited,
    when it left because it was assigned (``engine.wait_estimate``)."""

    dialog: str
    waited_s: float | None = None


@dataclass(frozen=True)
class TakenBy:
    """A manager's take-over of a queued dialog, carried along its offer and assignment:
    whom to answer (``ref``, ``reply_to``) once it is assigned, or why not."""

    manager: str
    ref: str | None
    reply_to: Subscriber | None


@dataclass(frozen=True)
class DirectedOffer:
    """Dialog -> queue: offer this waiting dialog to ``operator`` now (a take-over), out of
    turn; the queue checks the operator is logged in with room, the operator decides."""

    dialog: str
    operator: str
    taken: TakenBy


@dataclass(frozen=True)
class Offer:
    dialog: str
    taken: TakenBy | None = None  # a take-over: taken if there is room, whatever the status


@dataclass(frozen=True)
class OfferAccepted:
    dialog: str
    availability: Availability


@dataclass(frozen=True)
class OfferDeclined:
    dialog: str
    operator: str
    availability: Availability | None
    taken: TakenBy | None = None
    reason: str = ""  # why, for a take-over's refusal


@dataclass(frozen=True)
class Assign:
    dialog: str
    operator: str
    operator_name: str
    taken: TakenBy | None = None  # a take-over: the dialog answers the manager


@dataclass(frozen=True)
class AssignmentDone:
    """To the operator: the dialog committed its assignment (DialogAdded)."""

    dialog: str
    operator: str
    seq: int
    visitor_name: str
    monitored: bool = False


@dataclass(frozen=True)
class ReleaseSlot:
    """To the operator: the reserved dialog did not come (closed, transfer refused)."""

    dialog: str


@dataclass(frozen=True)
class DialogReleased:
    """To the holder: the dialog is no longer yours (closed, requeued, transferred out)."""

    dialog: str
    seq: int
    reason: str


@dataclass(frozen=True)
class OperatorGone:
    """To a dialog: this operator logged out; if it holds you, go back to the queue."""

    operator: str
    reason: str = "the operator logged out"  # what the dialog.requeued says


@dataclass(frozen=True)
class NoteLookingForInfo:
    operator: str
    operator_name: str
    reminder: bool


@dataclass(frozen=True)
class Position:
    dialog: str
    position: int
    estimate_s: float | None = None  # engine.wait_estimate; None: no history


@dataclass(frozen=True)
class WatchQueue:
    """From an operator, after a console's state burst: the queue tells ``subscriber``
    the queue length and the operators list now, then every change (it becomes a
    watcher of ``queue``)."""

    subscriber: Subscriber


@dataclass(frozen=True)
class TellPositions:
    """The queue to itself: go on telling the positions of a broadcast told in chunks.

    Sent through the directory, like ``FlushInfo``; see ``engine/queue_state.py``.
    """


@dataclass(frozen=True)
class FlushInfo:
    """The queue to itself: tell the positions, length and operators list that changed.

    Sent through the directory (so ``settle()`` waits for it) once per batch of
    changes; see ``engine/queue_state.py``.
    """


# --- transfers -----------------------------------------------------------------------


@dataclass(frozen=True)
class TransferOffer:
    tid: str
    dialog: str
    from_operator: str
    from_name: str
    note: str
    ref: str | None
    reply_to: Subscriber | None


@dataclass(frozen=True)
class CompleteTransfer:
    tid: str
    dialog: str
    from_operator: str
    from_name: str
    to_operator: str
    to_name: str
    note: str
    ref: str | None
    reply_to: Subscriber | None


@dataclass(frozen=True)
class AbortTransfer:
    tid: str
    dialog: str
    from_operator: str
    code: str
    message: str
    ref: str | None
    reply_to: Subscriber | None


@dataclass(frozen=True)
class TransferFinished:
    """To the sender: the transfer ``tid`` is over (done or refused)."""

    tid: str
    dialog: str


@dataclass(frozen=True)
class TransferIn:
    """To the receiver: the dialog is now yours (DialogAdded, transferred)."""

    dialog: str
    seq: int
    visitor_name: str
    from_operator: str
    from_name: str
    note: str
    monitored: bool = False


# --- timers, supervision, store ---------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """A timer fired; ``generation`` says which arming (stale ticks are ignored)."""

    kind: str
    generation: int = 0
    key: str = ""


@dataclass(frozen=True)
class Undeliverable:
    """A message came back: nobody lives at ``address`` (or it crashed on it)."""

    message: Any
    address: str
    reason: str  # "absent" | "crashed" | "failed"


@dataclass(frozen=True)
class ActorCrashed:
    address: str
    error: str
    injected: bool
    counted: bool = True  # False: restarted for its input's fault, not counted


@dataclass(frozen=True)
class Retire:
    """To an actor: unregister and stop (after its close/logout is committed)."""


@dataclass(frozen=True)
class Retired:
    address: str


@dataclass(frozen=True)
class Fenced:
    """From the store to the supervisor: the journal refused this node's epoch."""

    reason: str


@dataclass(frozen=True)
class Commit:
    origin: str
    events: tuple[Event, ...]
    effects: tuple[Effect, ...]
    replies: tuple[tuple[Subscriber | None, str | None], ...] = ()  # rejected on failure
    track: CommitTrack | None = None  # the origin's: the store counts what it finished
    # ``events`` as the journal takes them, encoded by the origin on its own thread (the
    # host's loop, when hosted), so the journal's writer thread holds the GIL less; empty:
    # the store makes them
    made: tuple[NewEvent, ...] = ()


@dataclass(frozen=True)
class Rebuild:
    """To the store: after what is queued before me, read ``address``'s state."""

    address: str


@dataclass(frozen=True)
class Rebuilt:
    address: str
    state: Any


@dataclass(frozen=True)
class Barrier:
    """To the store: call ``done`` once everything queued before is performed."""

    done: Any = field(compare=False)


# --- effects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tell:
    address: str
    message: object  # any message between actors (this module)


@dataclass(frozen=True)
class Reply:
    reply_to: Subscriber | None
    notice: Notice


@dataclass(frozen=True)
class Publish:
    """To the actor's watchers (resolved by the actor shell into ``Deliver``)."""

    notice: Notice
    managers: bool = True


@dataclass(frozen=True)
class Deliver:
    subscribers: tuple[Subscriber, ...]
    notice: Notice
    managers: bool = True


Effect = Tell | Reply | Publish | Deliver


@dataclass(frozen=True)
class Decision:
    events: tuple[Event, ...] = ()
    effects: tuple[Effect, ...] = ()
