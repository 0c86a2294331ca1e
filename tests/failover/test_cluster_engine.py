"""The real engine on the in-process cluster: dialogs survive a failover and go on."""

from __future__ import annotations

from pathlib import Path

import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.commands import OpenDialog, OperatorLogin, OperatorSay, SetStatus, VisitorSay
from frontdesk.engine.journal import Journal
from frontdesk.engine.notices import Ack, MessagePosted, Notice, Rejected
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing.probe import Probe

CAPACITY = 20


def engine_factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
    settings = EngineSettings(default_capacity=CAPACITY)
    return Engine(settings, journal, ManualClock(), epoch=epoch, fold=fold)


async def expect(probe: Probe, match: object, timeout: float = 5.0) -> Notice:
    return await trio.to_thread.run_sync(lambda: probe.expect(match, timeout))  # type: ignore[arg-type]


async def test_dialogs_resume_on_the_promoted_backup(tmp_path: Path) -> None:
    journals = lambda name: SqlJournal(tmp_path / f"{name}.sqlite3")  # noqa: E731
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY, journals=journals
    ) as cl:
        api = NodeEngine(cl["a"])
        probe = Probe("client")
        api.submit(OperatorLogin("ann", "Ann", ref="login"), probe)
        await expect(probe, {"type": "ack", "ref": "login"})
        api.submit(SetStatus("ann", Status.CONNECTED, ref="st"), probe)
        await expect(probe, {"type": "ack", "ref": "st"})
        dialogs: dict[str, int] = {}
        for i in range(5):
            api.submit(OpenDialog(f"tok{i}", visitor_name=f"V{i}", ref=f"open{i}"), probe)
            ack = await expect(probe, {"type": "ack", "ref": f"open{i}"})
            assert isinstance(ack, Ack) and ack.dialog is not None
            dialogs[ack.dialog] = i
        for d, i in dialogs.items():
            api.submit(VisitorSay(d, f"tok{i}", f"hello from {i}", ref=f"say{i}"), probe)
            await expect(probe, {"type": "ack", "ref": f"say{i}"})

        cl.kill("a")
        await cl.wait_for(cl["b"].accepts_writes, timeout=5)
        b_api = NodeEngine(cl["b"])
        snap = b_api.snapshot()
        assert {d["id"] for d in snap["dialogs"]} == set(dialogs)
        assert all(d["operator"] == "ann" for d in snap["dialogs"])
        # every visitor resumes its history, then goes on talking
        for d, i in dialogs.items():
            watcher = Probe(f"visitor{i}")
            b_api.watch_dialog(d, watcher, after_seq=0, token_hash=f"tok{i}")
            said = await expect(watcher, MessagePosted)
            assert isinstance(said, MessagePosted) and said.text == f"hello from {i}"
            b_api.submit(VisitorSay(d, f"tok{i}", "still there?", ref=f"again{i}"), probe)
            await expect(probe, {"type": "ack", "ref": f"again{i}"})
        b_api.submit(OperatorSay("ann", next(iter(dialogs)), "yes", ref="op"), probe)
        await expect(probe, {"type": "ack", "ref": "op"})
        # a fresh dialog on the new primary
        b_api.submit(OpenDialog("new", visitor_name="New", ref="fresh"), probe)
        await expect(probe, {"type": "ack", "ref": "fresh"})


async def test_a_backup_refuses_clients_naming_the_primary(tmp_path: Path) -> None:
    async with open_cluster(
        tmp_path, engine_factory=engine_factory, default_capacity=CAPACITY) as cl:
        probe = Probe("client")
        NodeEngine(cl["b"]).submit(OpenDialog("t", ref="x"), probe)
        refused = await expect(probe, Rejected)
        assert isinstance(refused, Rejected) and refused.code == "not_primary"
        assert cl["a"].settings.advertise_url in refused.message
