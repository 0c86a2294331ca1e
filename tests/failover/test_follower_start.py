"""The backup's follower runs once, however its starts and stops interleave.

Seen in a failover bench on a loaded machine: while the role flapped, a backup had nine
replication links to its primary at once. ``start`` awaited ``stop`` and then installed
its own loop, so two starts that met at that await both installed one and the first was
never cancelled: every flap leaked a follow loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import trio
import trio.testing

from frontdesk.adapters.replication.follower import ReplicationFollower
from frontdesk.engine.cluster import NodeState, Role


@dataclass
class _Settings:
    secret: str = "s" * 32
    failover_timeout_s: float = 1.0


@dataclass
class _Node:
    settings: _Settings = field(default_factory=_Settings)
    last_heard: float = 0.0
    downs: int = 0
    state: NodeState = field(default_factory=lambda: NodeState(Role.BACKUP, 1))  # it follows

    def monotonic(self) -> float:
        return trio.current_time()

    def link_down(self) -> None:
        self.downs += 1


async def test_concurrent_starts_leave_one_follow_loop_running() -> None:
    follower = ReplicationFollower(_Node())  # type: ignore[arg-type]
    running: list[int] = []
    started = trio.Event()

    async def run() -> None:
        running.append(1)
        started.set()
        try:
            await trio.sleep_forever()
        finally:
            running.pop()

    follower.run = run  # type: ignore[method-assign]
    async with trio.open_nursery() as nursery:
        await follower.start(nursery)
        await started.wait()
        async with trio.open_nursery() as starters:
            for _ in range(3):
                starters.start_soon(follower.start, nursery)
        await trio.testing.wait_all_tasks_blocked()
        assert len(running) == 1, f"expected one follow loop, got {len(running)}"
        await follower.stop()
        await trio.testing.wait_all_tasks_blocked()
        assert running == [], f"expected no follow loop after stop, got {len(running)}"
        nursery.cancel_scope.cancel()
