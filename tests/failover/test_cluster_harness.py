"""The two-node cluster through handles (issue 20, item 9): no ``Engine``, ``NodeEngine``,
command constructors or ``trio.to_thread`` in the test."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from frontdesk.adapters.testing.cluster_harness import open_cluster_harness
from frontdesk.engine import notices


def seqs(probe_received: list[notices.Notice]) -> list[int]:
    return [x.seq for x in probe_received if isinstance(x, notices.DialogNotice) and x.in_history]


async def test_a_dialog_goes_on_after_the_primary_is_killed(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path, sqlite=True) as ch:
        a = ch.node("a")
        ann = await a.login("ann")
        vera = a.visitor("Vera")
        await vera.open()
        await vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
        on_vera = await ann.watch(vera)
        assert isinstance(await vera.say("my parcel?"), notices.Ack)
        await on_vera.expect({"type": "dialog.message", "text": "my parcel?"})
        assert (await vera.probe.expect(notices.MessagePosted)).text == "my parcel?"

        ch.kill("a")
        b = await ch.promote("b")
        assert ch.primary() is b and b.role == "primary"
        assert ann.dialogs == [vera.dialog]  # replicated: b knows who holds it
        assert isinstance(await ann.say(vera, "Found it."), notices.Ack)
        said = await vera.probe.expect(notices.MessagePosted)
        assert said.text == "Found it."
        assert isinstance(await vera.say("thanks"), notices.Ack)
        await on_vera.expect({"type": "dialog.message", "text": "thanks"})
        for probe in (vera.probe, on_vera):  # each entry once, in order, across the failover
            history = seqs(probe.received)
            assert history == list(range(1, len(history) + 1)), history


async def test_a_switchover_moves_every_handle(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path) as ch:
        ann = await ch.node("a").login("ann")
        vera = ch.node("a").visitor("Vera")
        await vera.open()
        b = await ch.promote("b")  # a is alive: a planned handover
        assert ch.node("a").role == "backup" and b.accepts_writes()
        assert isinstance(await ann.close(vera), notices.Ack)
        await vera.probe.expect(notices.DialogClosed)


async def test_a_backup_refuses_a_command_with_not_primary(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path) as ch:
        eve = ch.node("b").visitor("Eve")
        with pytest.raises(AssertionError, match=r"open refused on node b: .*not_primary"):
            await eve.open()
        with pytest.raises(KeyError, match="the nodes are a, b"):
            ch.node("c")


async def test_a_cluster_probe_fails_at_once_when_nothing_more_can_come(tmp_path: Path) -> None:
    async with open_cluster_harness(tmp_path) as ch:
        await ch.node("a").login("ann")
        vera = ch.node("a").visitor("Vera")
        await vera.open()
        with trio.fail_after(10), pytest.raises(AssertionError) as failure:
            await vera.probe.expect({"type": "dialog.assigned", "operator": "bob"},
                                    timeout=60)
        assert "the engine is settled: nothing more will come" in str(failure.value)
        assert "operator='ann' (expected 'bob')" in str(failure.value)
