"""The two-node cluster through its handles: kill the primary, go on on the backup."""

from pathlib import Path

from frontdesk.adapters.testing.cluster_harness import open_cluster_harness
from frontdesk.engine import notices


async def test_a_dialog_survives_the_primary(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path, sqlite=True) as ch:
        ann = await ch.node("a").login("ann")
        vera = ch.node("a").visitor("Vera")
        await vera.open()
        await vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
        assert isinstance(await vera.say("anyone?"), notices.Ack)

        ch.kill("a")
        b = await ch.promote("b")
        assert ch.primary() is b
        assert isinstance(await ann.say(vera, "still here"), notices.Ack)
        heard = await vera.probe.expect({"type": "dialog.message", "author": "operator"})
        assert heard.to_wire()["text"] == "still here"
