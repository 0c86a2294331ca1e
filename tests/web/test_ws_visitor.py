"""The visitor's ``open`` carries its own token: a re-sent open gets the same dialog."""

from __future__ import annotations

import secrets

import pytest
import trio

from frontdesk.adapters.client import RefusedError
from frontdesk.engine.testing.aids import Holds
from tests.web.nodes import Node


async def test_a_resent_open_with_the_same_token_gets_the_same_dialog(node: Node) -> None:
    token = secrets.token_urlsafe(32)
    vera = await node.visitor()
    first = await vera.request({"type": "open", "name": "Vera", "token": token, "ref": "o-1"})
    again = await vera.request({"type": "open", "name": "Vera", "token": token, "ref": "o-1"})
    assert first["dialog"] == again["dialog"] and first["seq"] == again["seq"] == 1
    assert first["data"]["token"] == again["data"]["token"] == token
    other = await vera.request({"type": "open", "name": "Vic", "ref": "o-2"})  # no token
    assert other["dialog"] != first["dialog"]
    assert len(other["data"]["token"]) >= 43  # the server made one
    dialogs = [d["id"] for d in node.engine.snapshot()["dialogs"]]
    assert dialogs == [first["dialog"], other["dialog"]]
    # its own token resumes it, as a server-made one would
    reloaded = await node.visitor()
    await reloaded.resume(first["dialog"], token)
    await reloaded.expect({"type": "dialog.opened", "dialog": first["dialog"]})


async def test_an_open_whose_ack_was_lost_is_resent_and_opens_one_dialog(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    token = secrets.token_urlsafe(32)
    frame = {"type": "open", "name": "Vera", "token": token, "ref": "o-lost"}
    vera = await node.visitor()
    vera.reconnect_gate = trio.Event()
    holds = Holds(node.engine.directory)
    holds.hold("store")  # the open is decided, not yet durable: no ack
    await vera.send(frame)
    await node.settle()
    vera.drop()  # the socket goes before the ack
    assert await vera.expect_close() == 1006
    holds.release("store")
    await node.settle()
    vera.reconnect_gate.set()
    await vera.wait_connected()
    ack = await vera.request(frame)  # the widget re-sends its pending open as it was
    dialog = ack["dialog"]
    assert ack["data"]["token"] == token
    await vera.expect({"type": "dialog.assigned", "dialog": dialog})
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    assert [d["id"] for d in node.engine.snapshot()["dialogs"]] == [dialog]
    opened = [f for f in vera.received if f["type"] == "dialog.opened"]
    assert len(opened) == 1 and vera.duplicates == []
    await vera.say("only one dialog")
    await ann.expect({"type": "dialog.message", "text": "only one dialog"})
    assert [f["dialog"] for f in ann.received if f["type"] == "operator.dialog_added"] == [dialog]


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("short-token", "11 characters"),
        ("x" * 129, "129 characters"),
        ("!" * 40, "characters outside"),
        (12345678901234567890123456789012345, "12345678"),
        ("", "0 characters"),
    ],
)
async def test_a_short_or_ill_formed_token_is_refused(node: Node, token: object, why: str) -> None:
    vera = await node.visitor()
    with pytest.raises(RefusedError) as refused:
        await vera.request({"type": "open", "name": "Vera", "token": token, "ref": "o-bad"})
    error = refused.value.frame
    assert (error["code"], error["ref"]) == ("bad_field", "o-bad")
    assert "open.token: expected 32 to 128" in error["message"] and why in error["message"]
    assert node.engine.snapshot()["dialogs"] == []
    ok = await vera.open("Vera")  # the socket goes on
    assert ok["dialog"]
