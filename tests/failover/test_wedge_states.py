"""The states that can leave a node "primary, not accepting writes" for good (issue 13).

A 200-dialog sync run of ``bench.failover`` once wedged: node a stayed ``primary`` with
``accepts_writes: false`` and the link down for minutes. Each test here drives the
in-process cluster (real witness, real link, the real engine) into one candidate
state and requires that, once the fault is over, one node accepts writes within a few
lease periods, by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio

from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.cluster import LeaseExpired
from frontdesk.engine.journal import Journal
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings


class HeldStarts:
    """An engine factory whose engines' ``start`` waits while ``hold`` is set (a slow
    start, as on a loaded machine); ``entered`` is set when a start is waiting."""

    def __init__(self) -> None:
        self.hold = False
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, journal: Journal, epoch: int, fold: Fold | None) -> Engine:
        held = self

        class HeldEngine(Engine):
            def start(self) -> Engine:
                if held.hold:
                    held.entered.set()
                    assert held.release.wait(10), "the test never released the start"
                return super().start()

        return HeldEngine(EngineSettings(default_capacity=20), journal, ManualClock(),
                          epoch=epoch, fold=fold)


def held_acquire(original: Callable[..., Awaitable[Any]], go: trio.Event,
                 asked: trio.Event) -> Callable[..., Awaitable[Any]]:
    """The node's lease request, answered only once ``go`` is set (a slow witness)."""

    async def acquire(*args: Any, **kwargs: Any) -> Any:
        asked.set()
        await go.wait()
        return await original(*args, **kwargs)

    return acquire


async def test_an_engine_started_while_fenced_serves_once_the_lease_is_back(
    tmp_path: Path,
) -> None:
    """Promotion starts the engine; while it starts (slowly) the lease lapses, so the
    node is fenced when the engine is up, and the engine is marked not serving. The
    lease comes back: the node is primary again with a running, unfenced engine — and
    used to keep it "not serving" for ever (``_resume_engine`` kept the engine and its
    flag): primary, lease renewed, ``accepts_writes`` false, the backup never promoted."""
    starts = HeldStarts()
    journals = lambda name: SqlJournal(tmp_path / f"{name}.sqlite3")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=starts, default_capacity=20, journals=journals
    ) as cl:
        starts.hold = True
        cl.kill("a")
        await cl.down("a")
        b = cl["b"]
        await cl.wait_for(lambda: b.role == "primary", timeout=10)  # promoted ...
        assert await trio.to_thread.run_sync(starts.entered.wait, 10)  # ... engine starting
        go, asked = trio.Event(), trio.Event()
        b.witness.acquire = held_acquire(b.witness.acquire, go, asked)  # type: ignore[method-assign]
        b.feed(LeaseExpired())  # what the renewal thread posts when the lease ran out
        assert b.role == "fenced"
        with trio.fail_after(5):
            await asked.wait()  # it asks for its lease again; the answer is held
        starts.release.set()
        await cl.wait_for(lambda: b.engine is not None, timeout=10)  # up, while fenced
        assert not b.accepts_writes()
        go.set()  # the witness answers: the lease is b's again
        await cl.wait_for(lambda: b.role == "primary", timeout=5)
        await cl.wait_for(b.accepts_writes, timeout=b.settings.lease_s * 3)
        assert not b.engine_fenced()


async def test_a_late_demotion_never_makes_a_primary_follow(tmp_path: Path) -> None:
    """A demotion's last step is to follow the new primary; when it comes after the node
    was promoted again (its engine stop was slow, the role moved on meanwhile), the
    primary used to follow its own peer: each refused dial reported the link as down,
    so the primary showed ``link: down`` (and refused a switchover) with its backup
    connected and caught up."""
    async with open_cluster(tmp_path) as cl:
        a, b = cl["a"], cl["b"]
        await cl.wait_for(lambda: a.state.link_up and a.state.caught_up, timeout=10)
        await a._start_following()  # the tail of a demotion that finished late
        assert not a.follower.following
        a.link_down()  # what a follower's failed dial reports: not the backup's link
        assert a.state.link_up and a.health()["link"] == "up"
        assert a.accepts_writes() and b.role == "backup"
