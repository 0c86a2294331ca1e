"""The manager endpoint: snapshot, live notices, monitoring, closing a dialog."""

from __future__ import annotations

import pytest

from tests.web.nodes import Node


async def test_a_manager_gets_a_snapshot_then_every_notice(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    assert maria.hello is not None and maria.hello["you"] == {
        "kind": "manager", "id": "maria", "name": "Maria", "role": "manager",
        "roles": ["manager"]}
    snapshot = await maria.expect("snapshot")
    assert [o["id"] for o in snapshot["operators"]] == ["ann"]
    assert snapshot["dialogs"] == [] and snapshot["queue"] == []

    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await maria.expect({"type": "dialog.opened", "dialog": dialog})
    await maria.expect({"type": "dialog.assigned", "dialog": dialog})
    fresh = await maria.snapshot()
    assert [(d["id"], d["state"], d["operator"]) for d in fresh["dialogs"]] == [
        (dialog, "assigned", "ann")]


async def test_monitoring_replays_the_dialog_and_a_manager_can_close_it(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await vera.say("first words")
    await ann.expect({"type": "dialog.message", "text": "first words"})
    maria = await node.manager()
    await maria.monitor(dialog)
    await maria.wait_for({"type": "dialog.message", "dialog": dialog, "text": "first words"})
    await ann.say(dialog, "answer")
    await maria.wait_for({"type": "dialog.message", "dialog": dialog, "text": "answer"})
    assert maria.duplicates == [] or all(f["dialog"] == dialog for f in maria.duplicates)
    await maria.close(dialog)
    closed = await vera.expect("dialog.closed")
    assert closed["by"] == "manager"
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})


@pytest.mark.parametrize("node_options", [{"figures_interval_s": 0.05}])
async def test_the_live_figures_come_in_the_snapshot_and_then_every_interval(node: Node) -> None:
    maria = await node.manager()
    snapshot = await maria.expect("snapshot")
    assert snapshot["figures"]["operators_online"] == 0
    assert snapshot["figures"]["dialogs_today"] == 0
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    figures = await maria.wait_for(
        lambda f: f["type"] == "figures" and f["dialogs_today"] == 1 and f["operators_online"] == 1
    )
    assert figures["dialogs_open"] == 1 and figures["queue_length"] == 0
    assert figures["operators"][0]["id"] == "ann"
    assert figures["operators"][0]["dialogs_today"] == 1
    assert figures["operators"][0]["status"] == "connected"
