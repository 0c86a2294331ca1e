"""A primary whose lease lapses under its engine never wedges (issue 13, finding 1).

In one trio run (the in-process cluster, the real engine): node a's clock jumps past
its lease, as after a pause or a starved renewal, while the witness still counts a's
lease as live, so a's next renewal is granted. A write that meets the lapsed lease
either waits for that renewal and is acknowledged, or is refused ``not_primary`` —
and then a says it does not accept writes until a new engine runs, and the write sent
again (same ref) is acknowledged. It never keeps claiming ``accepts_writes`` while its
engine refuses everything.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.cluster import InProcessCluster, SkewedClock, open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.commands import OpenDialog, VisitorSay
from frontdesk.engine.journal import Journal
from frontdesk.engine.notices import Ack, Notice, Rejected
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing.probe import Probe


def engine_factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
    settings = EngineSettings(default_capacity=20)
    return Engine(settings, journal, ManualClock(), epoch=epoch, fold=fold)


async def expect(probe: Probe, match: object, timeout: float = 5.0) -> Notice:
    return await trio.to_thread.run_sync(lambda: probe.expect(match, timeout))  # type: ignore[arg-type]


async def open_dialog(api: NodeEngine, probe: Probe) -> str:
    api.submit(OpenDialog("tok", visitor_name="V", ref="open"), probe)
    ack = await expect(probe, {"type": "ack", "ref": "open"})
    assert isinstance(ack, Ack) and ack.dialog is not None
    return ack.dialog


async def say_until_acked(cl: InProcessCluster, api: NodeEngine, dialog: str, ref: str) -> int:
    """Say once, and again with the same ref after each refusal; return the refusals.

    After a refusal the node must not claim to accept writes with the engine that
    refused: it is sent again only once the node says it accepts writes.
    """
    node = cl["a"]
    refusals = 0
    with trio.fail_after(10):
        while True:
            probe = Probe(f"say-{ref}-{refusals}")
            api.submit(VisitorSay(dialog, "tok", f"text {ref}", ref=ref), probe)
            got = await expect(probe, {"ref": ref})
            if isinstance(got, Ack):
                return refusals
            assert isinstance(got, Rejected) and got.code == "not_primary", got
            refusals += 1
            assert not (node.accepts_writes() and node.engine_fenced())
            await cl.wait_for(node.accepts_writes, timeout=5)


@pytest.mark.alone  # the lease is real time: a second worker's CPU load lapses it
async def test_a_write_meeting_a_lapsed_lease_waits_for_the_renewal(tmp_path: Path) -> None:
    clock = SkewedClock()
    journals = lambda name: SqlJournal(tmp_path / f"{name}.sqlite3")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=20, journals=journals,
        clocks={"a": clock}
    ) as cl:
        a = cl["a"]
        api = NodeEngine(a)
        dialog = await open_dialog(api, Probe("client"))
        for n in range(3):
            clock.jump(a.settings.lease_s)  # a's own count of its lease is over
            assert not a.gate.lease_valid() and not a.accepts_writes()
            # a command already past the node's check (as under load) meets the lapse in
            # the gate: it waits for the renewal on its way, and is acknowledged
            probe = Probe(f"lapse{n}")
            engine: Engine = a.engine  # type: ignore[assignment]
            engine.submit(VisitorSay(dialog, "tok", f"text {n}", ref=f"lapse{n}"), probe)
            assert isinstance(await expect(probe, {"ref": f"lapse{n}"}), Ack)
            assert a.accepts_writes() and a.role == "primary" and a.engine is engine
        assert not a.engine_fenced()
        assert await say_until_acked(cl, api, dialog, "after") == 0


async def test_a_write_refused_under_a_lapsed_lease_is_never_hidden(tmp_path: Path) -> None:
    clock = SkewedClock()
    journals = lambda name: SqlJournal(tmp_path / f"{name}.sqlite3")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=20, journals=journals,
        clocks={"a": clock}
    ) as cl:
        a = cl["a"]
        a.gate.lapse_grace_s = 0.0  # refuse at once: the engine that got it is fenced
        api = NodeEngine(a)
        dialog = await open_dialog(api, Probe("client"))
        first: Engine = a.engine  # type: ignore[assignment]
        clock.jump(a.settings.lease_s)
        probe = Probe("refused")
        first.submit(VisitorSay(dialog, "tok", "refused", ref="refused"), probe)
        refused = await expect(probe, {"ref": "refused"})
        assert isinstance(refused, Rejected) and refused.code == "not_primary"
        assert first.fenced and not a.accepts_writes()
        await cl.wait_for(a.accepts_writes, timeout=5)  # by itself, with a new engine
        assert await say_until_acked(cl, api, dialog, "refused") == 0  # sent again: acked
        first_engine = first
        # the node stepped down and came back with a new engine, in the same epoch
        assert a.engine is not first_engine and not a.engine_fenced()
        assert [role for _, role, _ in a.history[-2:]] == ["fenced", "primary"]
        assert a.accepts_writes() and a.epoch == a.history[-1][2]
        assert await say_until_acked(cl, api, dialog, "after") == 0


async def test_a_refusal_seen_before_the_engine_fenced_itself_still_steps_down(
    tmp_path: Path,
) -> None:
    """The 200-dialog sync wedge: the gate tells the node of a refusal (``on_refused``,
    posted to the trio loop) before the store has marked its engine fenced. The node
    used to look, find the engine not fenced yet, and do nothing: primary, engine fenced
    a moment later, ``accepts_writes`` false, the lease renewed for ever, no recovery."""
    clock = SkewedClock()
    journals = lambda name: SqlJournal(tmp_path / f"{name}.sqlite3")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=20, journals=journals,
        clocks={"a": clock}
    ) as cl:
        a = cl["a"]
        a.gate.lapse_grace_s = 0.0
        api = NodeEngine(a)
        dialog = await open_dialog(api, Probe("client"))
        first: Engine = a.engine  # type: ignore[assignment]
        handled = threading.Event()
        hints: list[str] = []

        def on_refused() -> None:  # store thread: the loop handles it first, as it may
            def on_loop() -> None:
                a.writes_refused()
                # refusing (not_primary), it must not name itself as the primary
                hints.append(a.primary_hint())
                handled.set()
            a.call_soon(on_loop)
            assert handled.wait(5)

        a.gate.on_refused = on_refused
        clock.jump(a.settings.lease_s)
        probe = Probe("refused")
        first.submit(VisitorSay(dialog, "tok", "refused", ref="refused"), probe)
        refused = await expect(probe, {"ref": "refused"})
        assert isinstance(refused, Rejected) and refused.code == "not_primary"
        assert first.fenced and not a.accepts_writes()
        assert hints and a.settings.advertise_url not in hints
        await cl.wait_for(a.accepts_writes, timeout=5)  # by itself, with a new engine
        assert a.engine is not first and not a.engine_fenced()
        assert await say_until_acked(cl, api, dialog, "refused") == 0
