"""Automatic failback: the node that took over hands the primary role back to main.

``cluster.failback = "auto"`` (default ``"manual"``): a node configured as the
backup (``cluster.role = "backup"``, so its peer is the main node) that is primary
now watches its own replication state; once main has been linked and caught up
without a break for ``cluster.failback_after_s``, it switches over to it, exactly
as a manager's ``POST /api/cluster/switchover`` would. A refused or timed-out
switchover is logged and the wait starts again. With ``"manual"`` nothing runs.

``FailbackWatch`` is the decision alone (health dicts and times in, "switch now"
out), so it is checked with plain calls; ``run_failback`` is the trio task.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import trio

from frontdesk.engine.cluster import ClusterError
from frontdesk.engine.errors import ConfigError

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often the replication state is looked at


@dataclass(frozen=True)
class FailbackPolicy:
    """What ``config``'s cluster section says about failback."""

    mode: Literal["manual", "auto"] = "manual"
    after_s: float = 60.0
    started_as: Literal["primary", "backup"] = "primary"  # this node's cluster.role

    def __post_init__(self) -> None:
        if self.mode not in ("manual", "auto"):
            raise ConfigError(f"cluster.failback: expected manual or auto, got {self.mode!r}")
        if not self.after_s > 0:
            raise ConfigError(f"cluster.failback_after_s: expected > 0, got {self.after_s!r}")

    @property
    def active(self) -> bool:
        """Only a node that is not main gives the role back, and only in auto mode."""
        return self.mode == "auto" and self.started_as == "backup"


class FailbackWatch:
    """Main caught up since when; ``observe`` says when to switch back."""

    def __init__(self, after_s: float) -> None:
        self.after_s = after_s
        self.since: float | None = None

    @staticmethod
    def main_in_sync(health: Mapping[str, Any]) -> bool:
        """This node is a serving primary whose backup (main) is linked and caught up."""
        return bool(
            health.get("role") == "primary"
            and health.get("ready")
            and health.get("link") == "up"
            and health.get("caught_up")
        )

    def observe(self, health: Mapping[str, Any], now: float) -> bool:
        """True when main has been in sync for ``after_s`` (the clock then starts over)."""
        if not self.main_in_sync(health):
            self.since = None
            return False
        if self.since is None:
            self.since = now
        if now - self.since >= self.after_s:
            self.since = None
            return True
        return False


class FailbackNode(Protocol):
    def health(self) -> dict[str, Any]: ...

    def switchover(self, timeout_s: float) -> Awaitable[None]: ...


async def run_failback(
    node: FailbackNode,
    policy: FailbackPolicy,
    switch_timeout_s: float,
    now: Callable[[], float] = trio.current_time,
) -> None:
    """Run for ever (cancel to stop): switch back each time main has been in sync long enough."""
    if not policy.active:
        return
    watch = FailbackWatch(policy.after_s)
    while True:
        if watch.observe(node.health(), now()):
            log.info("failback: main caught up for %.1f s, handing the primary role back",
                     policy.after_s)
            try:
                await node.switchover(timeout_s=switch_timeout_s)
            except (ClusterError, trio.TooSlowError) as e:  # refused, or too slow: later again
                log.warning("failback: the switch back did not happen: %s", e)
        await trio.sleep(POLL_S)
