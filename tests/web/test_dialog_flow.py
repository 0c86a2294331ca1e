"""A dialog from open to close over real websockets, through the Python client."""

from __future__ import annotations

import pytest

from frontdesk.adapters.client import RefusedError
from frontdesk.adapters.client.inbox import HISTORY_TYPES
from tests.web.nodes import Node


async def test_a_dialog_from_open_to_close(node: Node) -> None:
    ann = await node.operator("ann")
    assert ann.hello is not None and ann.hello["you"]["id"] == "ann"
    await ann.set_status("connected")
    await ann.expect({"type": "operator.status", "status": "connected"})

    vera = await node.visitor()
    assert vera.hello is not None
    assert (vera.hello["type"], vera.hello["role"], vera.hello["you"]) == (
        "hello", "primary", {"kind": "visitor"})
    ack = await vera.open("Vera", {"email": "vera@example.com"})
    dialog = ack["dialog"]
    assert len(ack["data"]["token"]) >= 40
    opened = await vera.expect("dialog.opened")
    assert (opened["dialog"], opened["seq"], opened["visitor_name"]) == (dialog, 1, "Vera")
    assert opened["info"] == {"email": "vera@example.com"}
    assigned = await vera.expect("dialog.assigned")
    assert (assigned["operator"], assigned["operator_name"]) == ("ann", "Ann")

    added = await ann.expect("operator.dialog_added")
    assert (added["dialog"], added["visitor_name"]) == (dialog, "Vera")
    await ann.expect({"type": "dialog.opened", "dialog": dialog})

    said = await vera.say("Hello, I need help <b>now</b>")
    assert said["dialog"] == dialog and said["seq"] > assigned["seq"]
    heard = await ann.expect({"type": "dialog.message", "dialog": dialog})
    assert (heard["author"], heard["text"], heard["seq"]) == (
        "visitor", "Hello, I need help <b>now</b>", said["seq"])

    await vera.typing(True)
    typing = await ann.expect({"type": "dialog.typing", "dialog": dialog})
    assert (typing["who"], typing["on"]) == ("visitor", True)

    answer = await ann.say(dialog, "Hi Vera, how can I help?")
    reply = await vera.expect({"type": "dialog.message", "author": "operator"})
    assert (reply["name"], reply["seq"]) == ("Ann", answer["seq"])
    # idle sockets: frames went out from the loop at once (web/ws_base.py _write_now), and
    # the seq checks below show they kept their order with the queued ones
    assert node.ctx.metrics.direct_writes > 0

    await ann.close(dialog)
    closed = await vera.expect("dialog.closed")
    assert closed["by"] == "operator"
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})

    seqs = [f["seq"] for f in vera.received if f["type"] in HISTORY_TYPES]
    assert seqs == list(range(1, len(seqs) + 1))
    assert vera.duplicates == [] and ann.duplicates == []


async def test_the_visitor_closes_and_the_operator_sees_it(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.close()
    closed = await ann.expect({"type": "dialog.closed", "dialog": dialog})
    assert closed["by"] == "visitor"
    with pytest.raises(RefusedError) as refused:
        await vera.say("still there?")
    assert refused.value.code == "closed"
