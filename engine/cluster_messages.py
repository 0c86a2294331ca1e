"""The inputs and actions of a cluster node's role machine (``frontdesk.engine.cluster``).

Inputs are what the I/O layer (``frontdesk.adapters.replication.node``) observes: heartbeats,
the witness's answers, the replication link, a switchover request. Actions are what
the machine asks it to do, in order. Both are frozen dataclasses, compared by value
in the tests of the transition table. Importable from ``frontdesk.engine.cluster`` too.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    pass


@dataclass(frozen=True)
class HeartbeatReceived(Input):
    epoch: int


@dataclass(frozen=True)
class HeartbeatsMissed(Input):
    """No heartbeat for ``failover_timeout_s``."""


@dataclass(frozen=True)
class LeaseGranted(Input):
    epoch: int


@dataclass(frozen=True)
class LeaseRefused(Input):
    """The witness refused the lease; ``epoch`` is its current epoch.

    A candidate is also given this (with its own epoch) when the witness cannot
    be reached; a primary is not: its lease simply runs out (``LeaseExpired``).
    """

    epoch: int
    holder: str | None = None


@dataclass(frozen=True)
class LeaseExpired(Input):
    """The primary's lease ran out before a renewal was confirmed."""


@dataclass(frozen=True)
class LinkUp(Input):
    pass


@dataclass(frozen=True)
class LinkDown(Input):
    pass


@dataclass(frozen=True)
class HigherEpochSeen(Input):
    epoch: int


@dataclass(frozen=True)
class CaughtUp(Input):
    pass


@dataclass(frozen=True)
class FellBehind(Input):
    pass


@dataclass(frozen=True)
class SwitchoverRequested(Input):
    pass


@dataclass(frozen=True)
class HandoverReceived(Input):
    """The primary stopped writing, the backup has everything: take the role now."""

    epoch: int


@dataclass(frozen=True)
class HandoverFailed(Input):
    """The backup did not take the role in time: keep (or get back) the lease."""


@dataclass(frozen=True)
class WritesRefused(Input):
    """The engine's journal refused a write while this node was primary (a lease that
    lapsed under it): that engine is fenced for good, so the node steps down until the
    witness confirms its lease, then starts a new one."""


@dataclass(frozen=True)
class WritesStalled(Input):
    """The write watch (``frontdesk.adapters.replication.write_watch``): this node has
    been primary, lease held, without accepting a write for longer than its bound, and
    nothing was making progress (no engine start reading the journal). Whatever wedged
    it, the node steps down: to its backup if one is in sync, else to itself."""


# --- actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    pass


@dataclass(frozen=True)
class RequestLease(Action):
    epoch: int


@dataclass(frozen=True)
class StopWrites(Action):
    """Refuse every append from now on (the gate raises StaleEpoch)."""


@dataclass(frozen=True)
class ResumeWrites(Action):
    pass


@dataclass(frozen=True)
class Promote(Action):
    """Stop following, raise the journal's epoch, start the engine (it replays)."""

    epoch: int


@dataclass(frozen=True)
class Demote(Action):
    """Stop the engine and follow the primary of ``epoch`` (truncating a diverged tail)."""

    epoch: int


@dataclass(frozen=True)
class HandOver(Action):
    """Wait until the backup acked everything, release the lease to it, tell it."""

    epoch: int


INPUTS: tuple[type[Input], ...] = (
    HeartbeatReceived,
    HeartbeatsMissed,
    LeaseGranted,
    LeaseRefused,
    LeaseExpired,
    LinkUp,
    LinkDown,
    HigherEpochSeen,
    CaughtUp,
    FellBehind,
    SwitchoverRequested,
    HandoverReceived,
    HandoverFailed,
    WritesRefused,
    WritesStalled,
)
