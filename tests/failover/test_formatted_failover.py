"""A formatted answer replicates as it was rendered: the promoted backup shows the same."""

from __future__ import annotations

from pathlib import Path

import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.cluster import open_cluster
from frontdesk.adapters.text import render
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.commands import OpenDialog, OperatorLogin, OperatorSay, SetStatus
from frontdesk.engine.journal import Journal
from frontdesk.engine.notices import Ack, MessagePosted, Notice
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing.probe import Probe

ANSWER = "**Done**: see [the guide](https://example.com/guide)\n- `step 1`"


CAPACITY = 5


def engine_factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
    settings = EngineSettings(default_capacity=CAPACITY)
    return Engine(settings, journal, ManualClock(), epoch=epoch, fold=fold)


async def expect(probe: Probe, match: object, timeout: float = 5.0) -> Notice:
    return await trio.to_thread.run_sync(lambda: probe.expect(match, timeout))  # type: ignore[arg-type]


async def test_the_backup_replays_the_rendering_the_primary_made(tmp_path: Path) -> None:
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
        api.submit(OpenDialog("tok", visitor_name="Vera", ref="open"), probe)
        ack = await expect(probe, {"type": "ack", "ref": "open"})
        assert isinstance(ack, Ack) and ack.dialog is not None
        said = render(ANSWER, "markdown")
        api.submit(OperatorSay("ann", ack.dialog, said.source, said.format, said.html,
                               said.plain, ref="m-1"), probe)
        await expect(probe, {"type": "ack", "ref": "m-1"})

        cl.kill("a")
        await cl.wait_for(cl["b"].accepts_writes, timeout=5)
        watcher = Probe("visitor")
        NodeEngine(cl["b"]).watch_dialog(ack.dialog, watcher, after_seq=0, token_hash="tok")
        got = await expect(watcher, MessagePosted)
        assert isinstance(got, MessagePosted)
        assert (got.format, got.source, got.html, got.text) == (
            "markdown", ANSWER, said.html, said.text)
        assert '<a href="https://example.com/guide" target="_blank"' in got.html
