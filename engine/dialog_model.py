"""A dialog's state and how one event changes it (``apply``): the fold that both
the DialogActor and the replay run. What a message *does* to a dialog — the
decisions — is in ``frontdesk.engine.dialog_state``, which also exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from frontdesk.engine import events
from frontdesk.engine.history import NO_HISTORY, History, entry

REFS_KEPT = 1000


class Phase(Enum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    CLOSED = "closed"


@dataclass(frozen=True, kw_only=True)
class Memo(events.DialogEvent):
    """The root of the dialog's memos: applied to the state, never journaled; one typed
    event per change (no field of the root is set)."""

    TYPE: ClassVar[str] = "memo"
    JOURNALED: ClassVar[bool] = False


@dataclass(frozen=True, kw_only=True)
class PositionTold(Memo):
    """The queue position last told the visitor, with the estimated wait told with it."""

    position: int
    estimate_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class TransferSettled(Memo):
    """Transfer ``tid`` finished or was aborted: a late ``CompleteTransfer`` is refused."""

    tid: str


@dataclass(frozen=True, kw_only=True)
class PresenceTold(Memo):
    """The visitor's presence last told: "here", "away" or "left"."""

    presence: str


@dataclass(frozen=True)
class DialogState:
    id: str
    number: int
    token_hash: str
    visitor_name: str
    info: dict[str, str]
    priority: int
    opened_at: float
    phase: Phase = Phase.QUEUED
    operator: str | None = None
    operator_name: str = ""
    seq: int = 0
    history: History = field(default_factory=lambda: NO_HISTORY)  # held once: history.py
    last_visitor_at: float = 0.0
    waiting_since: float | None = None  # the visitor's oldest unanswered message
    queued_since: float | None = None  # when it was (last) queued; None once assigned
    important: bool = False
    # who monitors: (manager, socket) pairs, live session state (a start clears them, a
    # rebuilt actor takes the projection's: engine/store.py)
    monitors: frozenset[tuple[str, str]] = frozenset()
    refs: dict[str, int] = field(default_factory=dict)
    help_request: dict[str, Any] | None = None
    closed_by: str | None = None
    close_reason: str = ""
    requeued: bool = False  # waits again after its operator vanished: at the head of the queue
    holder_since: float = 0.0  # when the holder got it (assigned, transferred): reply timeout
    # a monitored dialog (an operator opened it for a person reached another way): who
    # opened it, its link's token hash and expiry, whether the link was taken
    monitored_by: str | None = None
    link_hash: str = ""
    link_expires_at: float = 0.0
    link_used: bool = False
    # the surveys sent and not answered yet: their seq -> their questions (pending surveys)
    surveys: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    answered_surveys: frozenset[int] = frozenset()
    # the survey its close sent: (its seq, answered until); None: none
    close_survey: tuple[int, float] | None = None
    # not journaled
    position: int = 0
    estimate_s: float | None = None  # the estimated wait last told (engine.wait_estimate)
    finished_tids: frozenset[str] = frozenset()
    presence: str = ""  # "": not told yet (this run); else "here" / "away" / "left"

    @property
    def address(self) -> str:
        return f"dialog:{self.id}"

    def reply_due(self, timeout_s: float) -> float | None:
        """When the holder's reply is overdue (the reply timeout, ``timeout_s`` > 0), or
        None: no holder, nothing unanswered, or no timeout. Counted from the visitor's
        first unanswered message, but never from before the holder got the dialog."""
        if timeout_s <= 0 or self.phase is not Phase.ASSIGNED or self.waiting_since is None:
            return None
        return max(self.waiting_since, self.holder_since) + timeout_s

    def quiet_since(self) -> float:
        """Since when the visitor is silent, for the inactivity close: their last message,
        or for a monitored dialog whose person has not come yet, the link's expiry (the
        dialog waits for them as long as the link is good)."""
        if self.monitored_by is not None and not self.link_used:
            return max(self.last_visitor_at, self.link_expires_at)
        return self.last_visitor_at

    def unanswered_s(self, now: float) -> float | None:
        """Seconds since the visitor's oldest message no operator answered yet (None: none)."""
        return None if self.waiting_since is None else max(0.0, now - self.waiting_since)

    def queued_s(self, now: float) -> float | None:
        """Seconds since the dialog was queued, while it is (None once assigned or closed)."""
        if self.phase is not Phase.QUEUED or self.queued_since is None:
            return None
        return max(0.0, now - self.queued_since)

    def waiting_s(self, now: float) -> float:
        """How long the visitor has waited for an answer: since the oldest unanswered
        message, or since it was queued if that is older (a queued visitor waits even
        before writing); 0 once an operator answered and nothing new came."""
        waits = [w for w in (self.unanswered_s(now), self.queued_s(now)) if w is not None]
        return max(waits, default=0.0)


def evolve(s: DialogState, **changes: Any) -> DialogState:
    """``dataclasses.replace`` for the one hot path (every message, on two threads):
    copies the fields instead of running the frozen ``__init__`` over all of them,
    which set each through ``object.__setattr__``. DialogState has no
    ``__post_init__`` and no slots, so the copy is the same object ``replace`` makes."""
    new = object.__new__(DialogState)
    fields = new.__dict__
    fields.update(s.__dict__)
    fields.update(changes)
    return new


def summary(s: DialogState) -> DialogState:
    """``s`` without its entries: what the projection keeps of an open dialog."""
    return s if s.history is NO_HISTORY else evolve(s, history=NO_HISTORY)


def ref_key(author: str, operator: str | None, ref: str | None) -> str:
    """Refs are the client's: unique per visitor, or per operator (not across operators)."""
    return f"{author}:{operator}:{ref}" if operator is not None else f"{author}:{ref}"


# --- apply -------------------------------------------------------------------------


def opened(e: events.DialogOpened) -> DialogState:
    first = entry(e)
    assert first is not None
    return DialogState(
        id=e.dialog,
        number=e.number,
        token_hash=e.token_hash,
        visitor_name=e.visitor_name,
        info=dict(e.info),
        priority=e.priority,
        opened_at=e.at,
        seq=e.seq,
        history=History((first,)),
        last_visitor_at=e.at,
        queued_since=e.at,
    )


def _monitors(now: frozenset[tuple[str, str]],
              e: events.MonitorSet) -> frozenset[tuple[str, str]]:
    """Who monitors after ``e``: one manager socket more or less."""
    key = (e.manager, e.socket)
    return now | {key} if e.on else now - {key}


def _apply_memo(s: DialogState, e: Memo) -> DialogState:
    if isinstance(e, PositionTold):
        return evolve(s, position=e.position, estimate_s=e.estimate_s)
    if isinstance(e, TransferSettled):
        return evolve(s, finished_tids=s.finished_tids | {e.tid})
    if isinstance(e, PresenceTold):
        return evolve(s, presence=e.presence)
    raise TypeError(f"dialog {s.id}: no fold for the memo {type(e).__name__}")


def apply(s: DialogState, e: events.Event) -> DialogState:
    """Fold one event of this dialog's stream into its state."""
    if isinstance(e, Memo):
        return _apply_memo(s, e)
    if isinstance(e, events.MonitorSet):
        return evolve(s, monitors=_monitors(s.monitors, e))
    if isinstance(e, events.MonitoredLink):
        return evolve(s, monitored_by=e.by, link_hash=e.link_hash,
                      link_expires_at=e.expires_at, link_used=False)
    if isinstance(e, events.MonitoredLinkUsed):
        return evolve(s, token_hash=e.token_hash, link_used=True, last_visitor_at=e.at)
    note = entry(e)
    changes: dict[str, Any] = {}
    if note is not None:
        changes["seq"] = note.seq
        changes["history"] = s.history.appended(note)  # no copy: engine/history.py
    if isinstance(e, events.DialogAssigned):
        changes.update(phase=Phase.ASSIGNED, operator=e.operator, operator_name=e.operator_name)
        changes.update(requeued=False, position=0, queued_since=None, holder_since=e.at)
    elif isinstance(e, events.DialogTransferred):
        changes.update(operator=e.to_operator, operator_name=e.to_name, holder_since=e.at)
    elif isinstance(e, events.DialogRequeued):
        changes.update(phase=Phase.QUEUED, operator=None, operator_name="", requeued=True,
                       queued_since=e.at)
    elif isinstance(e, events.MessagePosted):
        if e.ref is not None:
            refs = dict(s.refs)
            refs[ref_key(e.author, e.operator, e.ref)] = e.seq
            while len(refs) > REFS_KEPT:
                del refs[next(iter(refs))]
            changes["refs"] = refs
        if e.author == "visitor":
            changes["last_visitor_at"] = e.at
            if s.waiting_since is None:
                changes["waiting_since"] = e.at
        elif e.author in ("operator", "manager"):  # the visitor was answered
            changes["waiting_since"] = None
    elif isinstance(e, events.ImportantMarked):
        changes["important"] = e.important
    elif isinstance(e, events.HelpRequested):
        changes["help_request"] = {"operator": e.operator, "text": e.text, "at": e.at}
    elif isinstance(e, events.SurveySent | events.SurveyAnswered):
        changes.update(_surveys_after(s, e))
    elif isinstance(e, events.HelpAcked) and s.help_request is not None:
        changes["help_request"] = {**s.help_request, "acked_by": e.manager,
                                   "acked_name": e.name, "acked_at": e.at}
    elif isinstance(e, events.HelpResolved):
        changes["help_request"] = None
    elif isinstance(e, events.DialogClosed):
        changes.update(phase=Phase.CLOSED, closed_by=e.by, close_reason=e.reason)
        changes.update(waiting_since=None, queued_since=None, help_request=None, position=0)
    return evolve(s, **changes)


def _surveys_after(s: DialogState, e: events.SurveySent | events.SurveyAnswered) -> dict[str, Any]:
    """The pending and answered surveys once ``e`` is applied."""
    if isinstance(e, events.SurveySent):
        closing = {"close_survey": (e.seq, e.answer_until)} if e.answer_until else {}
        return {"surveys": {**s.surveys, e.seq: e.questions}, **closing}
    return {"surveys": {k: q for k, q in s.surveys.items() if k != e.survey},
            "answered_surveys": s.answered_surveys | {e.survey}}
