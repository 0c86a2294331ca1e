"""Transfers between operators, over real websockets."""

from __future__ import annotations

import pytest

from frontdesk.adapters.client import RefusedError
from tests.web.nodes import Node


async def test_a_transfer_moves_the_dialog_with_its_history_and_note(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    bob = await node.operator("bob")
    await bob.set_status("on_break")  # bob gets no dialog from the queue, but transfers go
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.say("my invoice is wrong")
    await ann.expect({"type": "dialog.message", "text": "my invoice is wrong"})
    await ann.wait_for(lambda f: f["type"] == "operators"
                       and {o["id"] for o in f["operators"]} == {"ann", "bob"})

    await ann.transfer(dialog, "bob", "billing question")
    added = await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    assert (added["transferred_from"], added["transferred_from_name"], added["note"]) == (
        "ann", "Ann", "billing question")
    moved = await vera.expect("dialog.transferred")  # the visitor's form: names, no note
    assert (moved["from_name"], moved["to_name"], "note" in moved) == ("Ann", "Bob", False)
    removed = await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})
    assert removed["reason"]
    # bob sees the whole history, from the first entry
    said = await bob.expect({"type": "dialog.message", "dialog": dialog})
    assert said["text"] == "my invoice is wrong"
    assert [f["seq"] for f in bob.received if f.get("dialog") == dialog
            and f["type"] == "dialog.opened"] == [1]

    await bob.say(dialog, "Bob here, let me check")
    await vera.expect({"type": "dialog.message", "text": "Bob here, let me check"})
    await vera.say("thanks Bob")
    await bob.expect({"type": "dialog.message", "text": "thanks Bob"})
    assert not ann.seen({"type": "dialog.message", "text": "thanks Bob"})
    with pytest.raises(RefusedError) as refused:
        await ann.say(dialog, "I no longer hold it")
    assert refused.value.code == "forbidden"


async def test_refused_transfers_say_why_and_change_nothing(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    for to, code in (("ann", "invalid"), ("nobody", "unknown_operator")):
        with pytest.raises(RefusedError) as refused:
            await ann.transfer(dialog, to)
        assert refused.value.code == code
    with pytest.raises(RefusedError) as refused:
        await ann.transfer("d-404", "bob")
    assert refused.value.code in {"forbidden", "unknown_dialog"}
    await ann.say(dialog, "still mine")
    await vera.expect({"type": "dialog.message", "text": "still mine"})
