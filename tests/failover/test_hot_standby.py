"""The hot standby on the in-process cluster (real websockets, real SQLite files).

The backup folds each replicated batch as it arrives; promotion starts the engine from
that state and replays no record. A checkpoint is written from the live state and a
restart starts from it plus the tail. A returning primary whose tail is discarded
rebuilds its state, and it equals a full replay of its repaired journal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.adapters.testing.cluster import InProcessCluster, default_settings, open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.commands import OpenDialog, OperatorLogin, SetStatus, VisitorSay
from frontdesk.engine.journal import Journal
from frontdesk.engine.notices import Notice
from frontdesk.engine.replay import Fold, fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing.probe import Probe

CAPACITY = 4


def engine_factory(journal: Journal, epoch: int, f: Fold | None) -> Engine:
    return Engine(EngineSettings(default_capacity=CAPACITY), journal, ManualClock(), epoch, f)


async def expect(probe: Probe, match: object, timeout: float = 5.0) -> Notice:
    return await trio.to_thread.run_sync(lambda: probe.expect(match, timeout))  # type: ignore[arg-type]


def state(f: Fold) -> dict[str, Any]:
    return dict(vars(f))


async def talk(cl: InProcessCluster, node: str, dialogs: int, tag: str) -> None:
    api = NodeEngine(cl[node])
    probe = Probe(tag)
    api.submit(OperatorLogin("ann", "Ann", ref=f"{tag}-login"), probe)
    await expect(probe, {"type": "ack", "ref": f"{tag}-login"})
    api.submit(SetStatus("ann", Status.CONNECTED, ref=f"{tag}-st"), probe)
    await expect(probe, {"type": "ack", "ref": f"{tag}-st"})
    for i in range(dialogs):
        token = f"{tag}{i}"
        api.submit(OpenDialog(token, visitor_name=f"V{i}", ref=f"{token}-open"), probe)
        ack = await expect(probe, {"type": "ack", "ref": f"{token}-open"})
        dialog = getattr(ack, "dialog", None)
        assert dialog is not None
        api.submit(VisitorSay(dialog, token, "hello", ref=f"{token}-say"), probe)
        await expect(probe, {"type": "ack", "ref": f"{token}-say"})


def journals(tmp_path: Path) -> Any:
    return lambda name: SqlJournal(tmp_path / f"{name}.sqlite3", synchronous="normal")


async def test_promotion_starts_from_the_live_state_and_replays_nothing(tmp_path: Path) -> None:
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY,
        journals=journals(tmp_path),
    ) as cl:
        await talk(cl, "a", 12, "x")
        b = cl["b"]
        await cl.wait_for(lambda: b.journal_raw.last() == cl["a"].journal_raw.last())
        assert b.hot is not None and b.hot.standby is not None
        applied = b.hot.standby.applied
        assert applied > 0 and b.hot.standby.last_seq() == b.journal_raw.last()[1]
        cl.kill("a")
        await cl.wait_for(b.accepts_writes, timeout=10)
        assert b.hot.replayed_at_promotion == 0
        assert b.health()["standby"]["replayed_at_promotion"] == 0
        engine = b.engine
        assert isinstance(engine, Engine) and engine.projection is not None
        replayed = fold(b.journal_raw.read(), CAPACITY)
        replayed.summarise()  # the projection keeps summaries
        assert state(engine.projection._fold) == state(replayed)  # the state under test
        assert len(engine.snapshot()["dialogs"]) == 12


async def test_a_restart_starts_from_a_checkpoint_plus_the_tail(tmp_path: Path) -> None:
    stores = lambda name: CheckpointStore(tmp_path / f"{name}-checkpoints")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY,
        journals=journals(tmp_path), checkpoints=stores,
    ) as cl:
        await talk(cl, "a", 5, "x")
        a, b = cl["a"], cl["b"]
        await cl.wait_for(lambda: b.journal_raw.last() == a.journal_raw.last())
        assert a.hot is not None and b.hot is not None
        assert await a.hot.checkpoint_now(force=True)  # from the running engine's state
        assert await b.hot.checkpoint_now(force=True)  # from the standby's
        at = b.journal_raw.last()[1]
        assert stores("b").paths() and stores("b").paths()[0].name.endswith(f"{at:012d}.fdck")
        await talk(cl, "a", 3, "y")
        await cl.wait_for(lambda: b.journal_raw.last() == a.journal_raw.last())
        cl.kill("b")
        b = await cl.start("b")
        await cl.wait_for(lambda: b.state.caught_up)
        assert b.hot is not None and b.hot.start is not None
        assert b.hot.start.checkpoint_seq == at
        assert b.hot.start.replayed == b.journal_raw.last()[1] - at > 0
        assert b.hot.standby is not None
        assert state(b.hot.take()) == state(fold(b.journal_raw.read(), CAPACITY))


async def test_a_returning_primary_rebuilds_its_state_after_its_tail_is_discarded(
    tmp_path: Path,
) -> None:
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY,
        journals=journals(tmp_path), settings=default_settings(mode="async"),
    ) as cl:
        await talk(cl, "a", 3, "x")
        a, b = cl["a"], cl["b"]
        await cl.wait_for(lambda: b.journal_raw.last() == a.journal_raw.last())
        cl.cut()  # a goes on alone (async: acknowledged, never replicated), then dies
        await talk(cl, "a", 2, "lost")
        cl.kill("a")
        cl.heal()
        await cl.wait_for(b.accepts_writes, timeout=10)
        await talk(cl, "b", 2, "z")
        a = await cl.start("a")
        await cl.wait_for(lambda: a.state.caught_up and a.discarded != [], timeout=10)
        assert a.hot is not None and a.hot.standby is not None
        assert state(a.hot.take()) == state(fold(a.journal_raw.read(), CAPACITY))
