"""The role state machine of a cluster node: roles, epochs, leases. No I/O.

Theory of operation
-------------------
Two nodes hold the journal; a third party, the witness, hands out a *lease*:
the right to be the primary of one *epoch*, for a short time, renewed by the
holder. At most one node holds the lease of an epoch, and the witness grants
a new epoch only once the current lease has expired (or was handed over), so
at most one node accepts writes in an epoch. The journal refuses appends under
an older epoch (``StaleEpoch``): a deposed primary cannot write even if it
tried.

A node is in one of four roles:

``primary``   holds the lease of ``epoch``; the engine runs and accepts writes.
``backup``    follows the primary over the replication link; no engine runs.
``candidate`` a backup that stopped hearing heartbeats (or was handed the role)
              and asked the witness for the lease of ``epoch + 1``.
``fenced``    accepts no writes: a primary whose lease lapsed (it may get it
              back if nobody else took it), or one handing over to its backup.

The machine is one table, ``TRANSITIONS``: ``(role, input type) -> handler``;
a handler returns the next state and the *actions* the I/O layer must perform,
in order. ``IGNORED`` lists the pairs that may happen (late or duplicate
inputs) and change nothing. Any other pair is a bug in the caller and raises
``ClusterError`` naming the input, the role and the epoch. The I/O layer
(``frontdesk.adapters.replication.node``) feeds inputs from timers, the witness client
and the replication link, and performs the actions. The inputs and actions
themselves are declared in ``frontdesk.engine.cluster_messages`` (and exported here).

A node whose journal failed verification at start-up (torn or corrupted tail)
has ``journal_ok = False``: it never asks for the lease until it has caught up
with its peer (``CaughtUp``), which repairs the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from frontdesk.engine.cluster_messages import (
    INPUTS,
    Action,
    CaughtUp,
    Demote,
    FellBehind,
    HandOver,
    HandoverFailed,
    HandoverReceived,
    HeartbeatReceived,
    HeartbeatsMissed,
    HigherEpochSeen,
    Input,
    LeaseExpired,
    LeaseGranted,
    LeaseRefused,
    LinkDown,
    LinkUp,
    Promote,
    RequestLease,
    ResumeWrites,
    StopWrites,
    SwitchoverRequested,
    WritesRefused,
    WritesStalled,
)
from frontdesk.engine.errors import EngineError

__all__ = [
    "IGNORED",
    "INPUTS",
    "TRANSITIONS",
    "Action",
    "CaughtUp",
    "ClusterError",
    "Demote",
    "FellBehind",
    "HandOver",
    "HandoverFailed",
    "HandoverReceived",
    "HeartbeatReceived",
    "HeartbeatsMissed",
    "HigherEpochSeen",
    "Input",
    "LeaseExpired",
    "LeaseGranted",
    "LeaseRefused",
    "LinkDown",
    "LinkUp",
    "NodeState",
    "Promote",
    "RequestLease",
    "ResumeWrites",
    "Role",
    "StopWrites",
    "SwitchoverRequested",
    "WritesRefused",
    "WritesStalled",
    "accepts_writes",
    "initial",
    "step",
]


class ClusterError(EngineError):
    """An input that the node's current role cannot take, or a refused request."""


class Role(Enum):
    PRIMARY = "primary"
    BACKUP = "backup"
    CANDIDATE = "candidate"
    FENCED = "fenced"


@dataclass(frozen=True)
class NodeState:
    role: Role
    epoch: int  # the highest epoch this node knows of
    journal_ok: bool = True  # False: a torn/corrupted tail was cut; repair from the peer
    link_up: bool = False  # the replication link to the peer is connected
    caught_up: bool = False  # primary: the backup acked everything; backup: it has all
    handing_over: bool = False  # fenced primary handing the role to its backup


# --- transitions ----------------------------------------------------------------------

Handler = Callable[[NodeState, Input], tuple[NodeState, list[Action]]]


def initial(
    configured: Role, epoch: int, journal_ok: bool = True
) -> tuple[NodeState, list[Action]]:
    """The state at start-up. A node configured as primary asks for the lease first."""
    if configured is Role.PRIMARY and journal_ok:
        return NodeState(Role.CANDIDATE, epoch, journal_ok), [RequestLease(epoch)]
    if configured in (Role.PRIMARY, Role.BACKUP):
        return NodeState(Role.BACKUP, epoch, journal_ok), []
    raise ClusterError(f"cannot start a node as {configured.value}: expected primary or backup")


def _link_up(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    return replace(s, link_up=True), []


def _link_down(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    return replace(s, link_up=False, caught_up=False), []


def _caught_up(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    if s.role is Role.BACKUP:
        return replace(s, caught_up=True, journal_ok=True), []
    return replace(s, caught_up=True), []


def _fell_behind(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    return replace(s, caught_up=False), []


def _backup_heartbeat(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, HeartbeatReceived)
    return replace(s, epoch=max(s.epoch, i.epoch)), []


def _backup_missed(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    if not s.journal_ok:
        return s, []  # a damaged journal never stands for election
    return replace(s, role=Role.CANDIDATE, link_up=False), [RequestLease(s.epoch + 1)]


def _backup_handover(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, HandoverReceived)
    if not s.journal_ok:
        return s, []
    epoch = max(s.epoch, i.epoch)
    return replace(s, role=Role.CANDIDATE, epoch=epoch), [RequestLease(epoch + 1)]


def _raise_epoch(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, HigherEpochSeen | LeaseRefused)
    return replace(s, epoch=max(s.epoch, i.epoch)), []


def _candidate_granted(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseGranted)
    epoch = max(s.epoch, i.epoch)
    return (
        replace(s, role=Role.PRIMARY, epoch=epoch, link_up=False, caught_up=False),
        [Promote(epoch)],
    )


def _candidate_refused(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseRefused)
    epoch = max(s.epoch, i.epoch)
    return replace(s, role=Role.BACKUP, epoch=epoch), [Demote(epoch)]


def _candidate_higher(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, HigherEpochSeen)
    if i.epoch <= s.epoch:
        return s, []
    return replace(s, role=Role.BACKUP, epoch=i.epoch), [Demote(i.epoch)]


def _primary_renewed(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseGranted)
    if i.epoch != s.epoch:
        raise ClusterError(
            f"cannot take a renewal for epoch {i.epoch}: the node is primary of epoch {s.epoch}"
        )
    return s, []


def _primary_refused(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseRefused)
    if i.epoch > s.epoch:  # someone else holds a newer epoch
        return replace(s, role=Role.BACKUP, epoch=i.epoch), [StopWrites(), Demote(i.epoch)]
    return replace(s, role=Role.FENCED), [StopWrites(), RequestLease(s.epoch)]


def _primary_expired(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    """The lease ran out (``LeaseExpired``) or the engine's writes were refused under it
    (``WritesRefused``): stop writing, ask for the lease again; a grant resumes writes."""
    return replace(s, role=Role.FENCED), [StopWrites(), RequestLease(s.epoch)]


def _deposed(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, HigherEpochSeen | HeartbeatReceived)
    if i.epoch <= s.epoch:
        return s, []
    return (
        replace(s, role=Role.BACKUP, epoch=i.epoch, handing_over=False, caught_up=False),
        [StopWrites(), Demote(i.epoch)],
    )


def _primary_switchover(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    if not (s.link_up and s.caught_up):
        raise ClusterError(
            f"cannot switch over from primary of epoch {s.epoch}: the backup is "
            f"{'not connected' if not s.link_up else 'not caught up'}"
        )
    return replace(s, role=Role.FENCED, handing_over=True), [StopWrites(), HandOver(s.epoch)]


def _primary_stalled(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    """No write accepted for the write watch's bound: hand over to a backup that has
    everything (as a switchover does), or, with none, fence and ask for the lease again
    (the grant resumes writes, with a new engine if the one it had was fenced)."""
    if s.link_up and s.caught_up:
        return replace(s, role=Role.FENCED, handing_over=True), [StopWrites(), HandOver(s.epoch)]
    return replace(s, role=Role.FENCED), [StopWrites(), RequestLease(s.epoch)]


def _fenced_granted(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseGranted)
    if s.handing_over or i.epoch != s.epoch:
        return s, []  # a late answer: handing over, or an epoch we no longer hold
    return replace(s, role=Role.PRIMARY), [ResumeWrites()]


def _fenced_refused(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    assert isinstance(i, LeaseRefused)
    if i.epoch > s.epoch:
        return replace(s, role=Role.BACKUP, epoch=i.epoch, handing_over=False), [Demote(i.epoch)]
    if s.handing_over:
        return s, []
    return s, [RequestLease(s.epoch)]  # the witness was unreachable: keep asking


def _handover_failed(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    if not s.handing_over:
        return s, []
    return replace(s, handing_over=False), [RequestLease(s.epoch)]


def _fenced_expired(s: NodeState, i: Input) -> tuple[NodeState, list[Action]]:
    if s.handing_over:
        return s, []
    return s, [RequestLease(s.epoch)]


P, B, C, F = Role.PRIMARY, Role.BACKUP, Role.CANDIDATE, Role.FENCED

TRANSITIONS: dict[tuple[Role, type[Input]], Handler] = {
    # backup: follows, watches heartbeats, stands for election when they stop
    (B, HeartbeatReceived): _backup_heartbeat,
    (B, HeartbeatsMissed): _backup_missed,
    (B, HandoverReceived): _backup_handover,
    (B, HigherEpochSeen): _raise_epoch,
    (B, LinkUp): _link_up,
    (B, LinkDown): _link_down,
    (B, CaughtUp): _caught_up,
    (B, FellBehind): _fell_behind,
    # candidate: waits for the witness
    (C, LeaseGranted): _candidate_granted,
    (C, LeaseRefused): _candidate_refused,
    (C, HigherEpochSeen): _candidate_higher,
    (C, LinkUp): _link_up,
    (C, LinkDown): _link_down,
    (C, CaughtUp): _caught_up,
    (C, FellBehind): _fell_behind,
    # primary: renews its lease, serves its backup
    (P, LeaseGranted): _primary_renewed,
    (P, LeaseRefused): _primary_refused,
    (P, LeaseExpired): _primary_expired,
    (P, WritesRefused): _primary_expired,
    (P, HigherEpochSeen): _deposed,
    (P, HeartbeatReceived): _deposed,
    (P, SwitchoverRequested): _primary_switchover,
    (P, WritesStalled): _primary_stalled,
    (P, LinkUp): _link_up,
    (P, LinkDown): _link_down,
    (P, CaughtUp): _caught_up,
    (P, FellBehind): _fell_behind,
    # fenced: writes nothing; gets its lease back, or learns of a newer epoch
    (F, LeaseGranted): _fenced_granted,
    (F, LeaseRefused): _fenced_refused,
    (F, LeaseExpired): _fenced_expired,
    (F, HigherEpochSeen): _deposed,
    (F, HeartbeatReceived): _deposed,
    (F, HandoverFailed): _handover_failed,
    (F, LinkUp): _link_up,
    (F, LinkDown): _link_down,
    (F, CaughtUp): _caught_up,
    (F, FellBehind): _fell_behind,
}

IGNORED: frozenset[tuple[Role, type[Input]]] = frozenset(
    {
        (B, LeaseGranted),  # a late answer to an abandoned candidacy
        (B, LeaseRefused),
        (B, LeaseExpired),
        (C, HeartbeatReceived),  # the witness decides; its answer is on the way
        (C, HeartbeatsMissed),
        (C, LeaseExpired),
        (C, HandoverReceived),
        (P, HeartbeatsMissed),
        (P, HandoverReceived),
        (F, HeartbeatsMissed),
        (B, HandoverFailed),
        (C, HandoverFailed),
        (P, HandoverFailed),
        (F, HandoverReceived),
        (B, WritesRefused),  # late: the node already stepped down
        (C, WritesRefused),
        (F, WritesRefused),
        (B, WritesStalled),  # late: the node already stepped down
        (C, WritesStalled),
        (F, WritesStalled),
    }
)



def step(state: NodeState, event: Input) -> tuple[NodeState, list[Action]]:
    """Apply one input; return the next state and the actions to perform, in order."""
    key = (state.role, type(event))
    handler = TRANSITIONS.get(key)
    if handler is not None:
        return handler(state, event)
    if key in IGNORED:
        return state, []
    raise ClusterError(
        f"cannot take {type(event).__name__} as {state.role.value} of epoch {state.epoch}"
    )


def accepts_writes(state: NodeState) -> bool:
    return state.role is Role.PRIMARY
