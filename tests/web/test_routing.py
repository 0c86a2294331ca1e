"""Queue positions and statuses, seen by real clients."""

from __future__ import annotations

import pytest
import trio

from tests.web.nodes import Node


async def test_queue_positions_with_one_operator_at_capacity(node: Node) -> None:
    node.accounts.set_capacity("ann", 1)
    ann = await node.operator("ann")
    await ann.set_status("connected")
    visitors = [await node.visitor() for _ in range(3)]
    dialogs = []
    for i, v in enumerate(visitors):
        dialogs.append((await v.open(f"V{i}"))["dialog"])
        await node.settle()
    await visitors[0].expect("dialog.assigned")
    assert (await visitors[1].expect("dialog.position"))["position"] == 1
    assert (await visitors[2].expect("dialog.position"))["position"] == 2
    length = await ann.wait_for({"type": "queue.length", "length": 2})
    assert length["length"] == 2
    assert not visitors[1].seen("dialog.assigned")

    await ann.close(dialogs[0])
    assigned = await visitors[1].expect("dialog.assigned")
    assert assigned["operator"] == "ann"
    await node.advance(1.0)  # changes of position are paced (engine.position_interval_s)
    assert (await visitors[2].expect("dialog.position"))["position"] == 1
    await ann.expect({"type": "operator.dialog_added", "dialog": dialogs[1]})
    assert ann.dialogs == {dialogs[1]}


async def test_only_connected_operators_get_new_dialogs(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("on_break")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    assert (await vera.expect("dialog.position"))["position"] == 1
    await ann.wait_for({"type": "queue.length", "length": 1})
    await ann.set_status("connected")
    await vera.expect("dialog.assigned")
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})


async def test_looking_for_information_reaches_the_visitor_with_reminders(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.set_status("looking_for_information")
    notice = await vera.expect("dialog.looking_for_info")
    assert (notice["operator_name"], notice["reminder"]) == ("Ann", False)
    status = await ann.expect({"type": "operator.status", "status": "looking_for_information"})
    assert status["operator"] == "ann"
    await node.advance(node.engine.settings.looking_for_info_reminder_delay_s)
    reminder = await vera.expect("dialog.looking_for_info")
    assert reminder["reminder"] is True and reminder["seq"] > notice["seq"]
    await ann.set_status("connected")
    await ann.expect({"type": "operator.status", "status": "connected"})


async def test_every_status_is_accepted_and_echoed(node: Node) -> None:
    ann = await node.operator("ann")
    for status in ("on_break", "training", "phone", "talking_with_supervisor",
                   "no_new_dialog", "looking_for_information", "connected"):
        await ann.set_status(status)
        await ann.expect({"type": "operator.status", "status": status})
    assert ann.status == "connected"


async def test_important_and_help_requests_reach_the_dialog(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.important(dialog)
    assert (await ann.expect({"type": "dialog.important", "dialog": dialog}))["important"]
    await ann.help(dialog, "angry customer")
    help_frame = await maria.wait_for({"type": "dialog.help_requested", "dialog": dialog})
    assert help_frame["text"] == "angry customer"


@pytest.mark.parametrize("node_options", [{"latest_value_interval_s": 0.3}])
async def test_positions_are_paced_and_never_follow_the_assignment(node: Node) -> None:
    """``dialog.position`` is a latest value: a change within the pacing interval is held
    back and the newest written when due. One held past the dialog's assignment is out of
    date and must never be written after ``dialog.assigned`` (the widget would say
    "waiting" again)."""
    node.accounts.set_capacity("ann", 1)
    ann = await node.operator("ann")
    await ann.set_status("connected")
    visitors = [await node.visitor() for _ in range(3)]
    dialogs = [(await v.open(f"V{i}"))["dialog"] for i, v in enumerate(visitors)]
    await node.settle()
    assert (await visitors[2].expect("dialog.position"))["position"] == 2
    await ann.close(dialogs[0])  # V1 assigned; V2 moves to 1: held back, written first when due
    await ann.expect({"type": "operator.dialog_added", "dialog": dialogs[1]})
    await ann.close(dialogs[1])  # V2 assigned, perhaps while its position 1 is still held
    await visitors[2].expect("dialog.assigned")
    await trio.sleep(0.6)  # a duration, not an event: past the time a held position is due
    await visitors[2].send_raw('{"type": "ping", "ref": "after"}')
    await visitors[2].expect({"type": "pong", "ref": "after"})  # all before it has been read
    after = visitors[2].received[visitors[2].received.index(
        next(f for f in visitors[2].received if f["type"] == "dialog.assigned")):]
    assert [f for f in after if f["type"] == "dialog.position"] == []
