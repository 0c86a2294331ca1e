"""Monitors across a failover (issue 16): monitoring is live session state — the managers'
sockets were on the old primary — so the promoted node shows no dialog as monitored until a
manager monitors it there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frontdesk.adapters.testing.cluster_harness import open_cluster_harness
from frontdesk.engine import commands, notices


def watched(received: list[notices.Notice]) -> list[bool]:
    return [x.watched for x in received if isinstance(x, notices.MonitoringChanged)]


async def test_the_promoted_node_shows_no_stale_monitor(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path, sqlite=True) as ch:
        a = ch.node("a")
        ann = await a.login("ann")
        vera = a.visitor("Vera")
        await vera.open()
        await vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
        dialog = vera.dialog
        assert dialog is not None
        on_a = await ann.watch(vera)
        monitor = commands.Monitor("maria", dialog, socket="tab-1", ref=a.ref())
        assert isinstance(await a.command(monitor), notices.Ack)
        await on_a.expect(notices.MonitoringChanged)
        assert _monitored(a.snapshot(), dialog) is True
        assert isinstance(await vera.say("a marker the backup holds"), notices.Ack)
        await on_a.expect({"type": "dialog.message", "text": "a marker the backup holds"})

        ch.kill("a")
        b = await ch.promote("b")
        assert _monitored(b.snapshot(), dialog) is False
        on_b = await ann.watch(vera)  # the console reconnects to the new primary
        await b.settle()
        assert watched(on_b.received) == []
        paul = commands.Monitor("paul", dialog, socket="tab-2", ref=b.ref())
        assert isinstance(await b.command(paul), notices.Ack)
        assert (await on_b.expect(notices.MonitoringChanged)).watched is True
        assert _monitored(b.snapshot(), dialog) is True


def _monitored(snapshot: dict[str, Any], dialog: str) -> bool:
    return bool(next(d for d in snapshot["dialogs"] if d["id"] == dialog)["monitored"])
