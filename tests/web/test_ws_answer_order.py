"""Over a real websocket: the answer comes before the frames it caused, and the side that
types is not sent its own typing (issue 12, finding 10; docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from tests.web.nodes import Node


def _after(frames: list[dict[str, Any]], ref: str, *types: str) -> list[str]:
    """The types, among ``ack`` and ``types``, of the frames from the one answering ``ref``."""
    start = next(i for i, f in enumerate(frames) if f.get("ref") == ref)
    return [f["type"] for f in frames[start:] if f["type"] in ("ack", *types)][: len(types) + 1]


async def test_acks_come_before_their_entries_and_typing_is_not_echoed(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    bob = await node.operator("bob")
    await bob.set_status("on_break")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.wait_for(lambda f: f["type"] == "operators"
                       and {o["id"] for o in f["operators"]} == {"ann", "bob"})

    await vera.typing(True)
    await ann.typing(dialog, True)
    await ann.expect({"type": "dialog.typing", "who": "visitor"})
    await vera.expect({"type": "dialog.typing", "who": "operator"})
    await vera.say("ping")  # one more round trip on each socket: no echo came meanwhile
    await ann.expect({"type": "dialog.message", "text": "ping"})
    assert [f["who"] for f in vera.received if f["type"] == "dialog.typing"] == ["operator"]
    assert [f["who"] for f in ann.received if f["type"] == "dialog.typing"] == ["visitor"]

    ack = await ann.important(dialog)
    await ann.wait_for({"type": "dialog.important"})
    assert _after(ann.received, ack["ref"], "dialog.important") == ["ack", "dialog.important"]
    ack = await ann.set_status("looking_for_information")
    await ann.wait_for({"type": "dialog.looking_for_info"})
    assert _after(ann.received, ack["ref"], "operator.status", "dialog.looking_for_info") == [
        "ack", "operator.status", "dialog.looking_for_info"]
    ack = await ann.transfer(dialog, "bob", "n")
    await ann.wait_for({"type": "operator.dialog_removed"})
    assert _after(ann.received, ack["ref"], "dialog.transferred", "operator.dialog_removed") == [
        "ack", "dialog.transferred", "operator.dialog_removed"]
    ack = await vera.close()
    await vera.wait_for({"type": "dialog.closed"})
    assert _after(vera.received, ack["ref"], "dialog.closed") == ["ack", "dialog.closed"]
