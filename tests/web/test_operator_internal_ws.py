"""General internal messages over real websockets (issue 16): a manager and an operator write
to each other outside any dialog; the visitor's socket gets nothing of it; a message to an
operator who logged out is refused with a clear error; a reloaded console gets them again."""

from __future__ import annotations

import json

import pytest

from frontdesk.adapters.client import RefusedError
from tests.web.nodes import Node


async def test_general_internal_messages_stay_with_staff(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})

    assert (await maria.operator_internal("ann", "team meeting at 4"))["type"] == "ack"
    got = await ann.expect({"type": "operator.internal", "text": "team meeting at 4"})
    assert (got["operator"], got["n"], got["author"], got["name"]) == (
        "ann", 1, "manager", "Maria")
    await ann.operator_internal("I will be there")
    back = await maria.expect({"type": "operator.internal", "text": "I will be there"})
    assert (back["operator"], back["n"], back["author"]) == ("ann", 2, "operator")

    await ann.say(dialog, "Hello Vera")
    await vera.expect({"type": "dialog.message", "text": "Hello Vera"})
    assert not [f for f in vera.received if f["type"] == "operator.internal"
                or "meeting" in json.dumps(f) or "be there" in json.dumps(f)]

    again = await node.operator("ann")  # a second console (a reload): the conversation so far
    await again.expect({"type": "operator.internal", "n": 2})

    with pytest.raises(RefusedError) as refused:
        await maria.operator_internal("zed", "hello?")
    assert refused.value.frame["code"] == "unknown_operator"
    assert refused.value.frame["message"] == (
        "cannot send an internal message to zed: zed is not logged in")
