"""``cluster.kill("a")`` is a clean crash, even with a commit in flight (issue 20, item 7):
the store is released at once (the gate is fenced, as a dead node writes and acknowledges
nothing more), so the engine stops without waiting for a flush and no actor is left."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.testing.cluster import default_settings, open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.commands import OperatorLogin
from frontdesk.engine.journal import Journal, NewEvent, Record
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing import Probe

# nothing in this test may end by a timeout: a sync wait that never gives up, and the
# engine's own flush wait (10 s) far over the guard below
NEVER_S = 3600.0


class Tapped:
    """The node's journal, telling the test when an append is written and waits for the
    backup (the commit is then in flight)."""

    def __init__(self, inner: Journal) -> None:
        self.inner = inner
        self.waiting = threading.Event()

    def append(self, events: list[NewEvent], epoch: int) -> list[Record]:
        gate = self.inner.gate  # type: ignore[attr-defined]
        wait = gate.wait_durable

        def tapped(seq: int) -> None:
            self.waiting.set()
            wait(seq)

        gate.wait_durable = tapped
        try:
            return self.inner.append(events, epoch)
        finally:
            gate.wait_durable = wait

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_a_kill_with_a_commit_in_flight_is_a_clean_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    taps: list[Tapped] = []

    def factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
        tapped = Tapped(journal)
        taps.append(tapped)
        return Engine(EngineSettings(), tapped, ManualClock(), epoch=epoch, fold=fold)  # type: ignore[arg-type]

    settings = default_settings(sync_timeout_s=NEVER_S)
    async with open_cluster(tmp_path, engine_factory=factory, settings=settings) as cluster:
        a = cluster["a"]
        await cluster.wait_for(a.accepts_writes)
        engine = a.engine
        assert isinstance(engine, Engine)
        cluster.link("a").cut()  # the backup's acks never come: the commit stays in flight
        answer = Probe("answer")
        NodeEngine(a).submit(OperatorLogin("ann", "Ann", ref="in-flight"), answer)
        assert await trio.to_thread.run_sync(taps[-1].waiting.wait, 5)

        with caplog.at_level(logging.WARNING, logger="frontdesk"), trio.fail_after(5):
            cluster.kill("a")
            await cluster.down("a")

        assert engine.stopped
        alive = [ref for ref in engine.ctx.refs if ref.is_alive()]
        assert alive == []  # the store too: nothing for the leak guard to find
        assert not any("did not flush" in r.getMessage() for r in caplog.records)
        assert not a.gate.is_degraded  # released by the kill, not by a timeout
        # the command never took effect: it is refused, as on any node that is not primary
        refused = answer.expect({"type": "error", "ref": "in-flight"})
        assert refused.to_wire()["code"] == "not_primary"
