"""The write watch: a primary that accepts no write for too long steps down (issue 13).

Each way a primary was seen to stay "primary, lease renewed, ``accepts_writes`` false"
is fixed and has its test (``tests/failover/test_wedge_states.py``). This watch is the
net under the ways nobody has seen yet. While the node is primary, it notes since when
the node has accepted no write. A start in progress does not count against it while it
reads the journal (``GatedJournal.records_read`` moves). Once that time passes the
bound (``ClusterSettings.write_stall_bound_s``: by default the larger of four leases
and two failover timeouts, 4.8 s), the watch feeds ``WritesStalled``. The role machine
then hands over to a backup in sync, as a switchover does, or, with none, fences the
node and asks for its lease again, so that the grant resumes the writes
(``frontdesk.engine.cluster``).

``check`` is the whole decision, on the node's own clock: a test calls it with a manual
clock. ``run`` only calls it a few times per bound.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import trio

from frontdesk.engine.cluster import Input, NodeState, Role, WritesStalled

log = logging.getLogger("frontdesk.cluster")

CHECKS_PER_BOUND = 16


class ReadCount(Protocol):
    """The engine's journal on a cluster node, as far as the watch goes."""

    @property
    def records_read(self) -> int: ...


class WatchedNode(Protocol):
    """What the watch reads of the node and feeds it (``ClusterNode`` satisfies it)."""

    @property
    def state(self) -> NodeState: ...
    @property
    def journal(self) -> ReadCount: ...
    @property
    def monotonic(self) -> Callable[[], float]: ...

    def accepts_writes(self) -> bool: ...

    def feed(self, event: Input) -> None: ...


class WriteWatch:
    def __init__(self, node: WatchedNode, bound_s: float) -> None:
        self.node = node
        self.bound_s = bound_s
        self.stepdowns = 0  # how many times the watch made the node step down
        self._refusing_since: float | None = None  # primary and accepting no write since
        self._stalled_since: float | None = None  # ... and reading nothing since
        self._read = -1

    def check(self) -> None:
        """Note what the node does now; feed ``WritesStalled`` once it is past the bound."""
        node = self.node
        if node.state.role is not Role.PRIMARY or node.accepts_writes():
            self._refusing_since = self._stalled_since = None
            return
        now = node.monotonic()
        read = node.journal.records_read
        if self._refusing_since is None:
            self._refusing_since = now
        if self._stalled_since is None or read != self._read:
            self._stalled_since, self._read = now, read  # a start reading is progress
            return
        stalled = now - self._stalled_since
        if stalled < self.bound_s:
            return
        log.error(
            "primary of epoch %d has accepted no write for %.1f s (bound %.1f s) with "
            "nothing in progress: stepping down (to the backup if it is in sync)",
            node.state.epoch, now - self._refusing_since, self.bound_s,
        )
        self.stepdowns += 1
        self._refusing_since = self._stalled_since = None
        node.feed(WritesStalled())

    def not_accepting_s(self) -> float:
        """How long the node has been primary without accepting writes (0 if it does)."""
        since = self._refusing_since
        return 0.0 if since is None else max(0.0, self.node.monotonic() - since)

    def report(self) -> dict[str, Any]:
        """For ``/healthz``'s ``write_watch``."""
        return {
            "bound_s": self.bound_s,
            "not_accepting_writes_s": round(self.not_accepting_s(), 3),
            "stepdowns": self.stepdowns,
        }

    async def run(self) -> None:
        while True:
            self.check()
            await trio.sleep(self.bound_s / CHECKS_PER_BOUND)
