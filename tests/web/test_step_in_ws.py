"""A manager steps in over real websockets (issue 16): an internal message and its answer
reach staff and never the visitor's socket, live or on resume; the manager's message to the
visitor reaches both sides; a closed dialog and an operator's manager frame are refused."""

from __future__ import annotations

import json

import pytest

from frontdesk.adapters.client import RefusedError
from frontdesk.adapters.mail.transcript import build_transcript, visitor_entries
from frontdesk.engine import notices as engine_notices
from tests.web.nodes import Node

SECRETS = ("check the refund first", "refund done")


def _leaks(frames: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in frames if f["type"] == "dialog.internal"
            or any(s in json.dumps(f) for s in SECRETS)]


async def test_internal_messages_stay_with_staff_and_the_manager_speaks_to_the_visitor(
    node: Node,
) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    opened = await vera.open("Vera")
    dialog, token = opened["dialog"], opened["data"]["token"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})

    ack = await maria.internal(dialog, "check the refund first")
    assert ack["type"] == "ack" and ack["dialog"] == dialog
    got = await ann.expect({"type": "dialog.internal", "dialog": dialog})
    assert (got["author"], got["author_id"], got["name"], got["text"]) == (
        "manager", "maria", "Maria", "check the refund first")
    await ann.internal(dialog, "refund done")
    back = await maria.expect({"type": "dialog.internal", "text": "refund done"})
    assert (back["author"], back["name"]) == ("operator", "Ann")

    said = await maria.say(dialog, "Hello Vera, I am the manager")
    assert said["type"] == "dialog.message" and said["author"] == "manager"
    seen = await vera.expect({"type": "dialog.message", "text": "Hello Vera, I am the manager"})
    assert (seen["author"], seen["name"]) == ("manager", "Maria")
    await ann.expect({"type": "dialog.message", "author": "manager", "name": "Maria"})
    await ann.say(dialog, "Ann again")
    await vera.expect({"type": "dialog.message", "text": "Ann again"})
    assert _leaks(vera.received) == []

    again = await node.visitor()  # a resume from 0: the same, without the internal entries
    await again.resume(dialog, token, after_seq=0)
    await again.expect({"type": "dialog.message", "text": "Ann again"})
    assert _leaks(again.received) == []
    assert any(f.get("author") == "manager" for f in again.received)

    await maria.close(dialog)
    for frame in ({"type": "internal", "dialog": dialog, "text": "late"},
                  {"type": "say", "dialog": dialog, "text": "late"}):
        with pytest.raises(RefusedError) as refused:
            await maria.request(frame)
        assert refused.value.frame["code"] == "closed"
        assert refused.value.frame["message"].endswith(f"dialog {dialog}: it is closed")


async def test_an_operator_sending_a_manager_frame_gets_a_clear_error(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    with pytest.raises(RefusedError) as refused:
        await ann.request({"type": "monitor", "dialog": "d-1", "on": True})
    assert refused.value.frame["code"] == "forbidden"
    assert "a manager's frame" in refused.value.frame["message"]
    # the operator's socket goes on working
    assert (await ann.set_status("connected"))["type"] == "ack"


async def test_a_manager_takes_a_dialog_over(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    bob = await node.operator("bob")
    await bob.set_status("connected")
    with pytest.raises(RefusedError) as refused:
        await maria.take_over(dialog, "ann")
    assert refused.value.frame["message"] == (
        f"cannot take over dialog {dialog}: ann already holds it")
    ack = await maria.take_over(dialog, "bob", "VIP")
    assert ack["type"] == "ack"
    added = await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    assert added["note"] == "taken over by Maria: VIP"
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})
    moved = await vera.expect({"type": "dialog.transferred", "dialog": dialog})
    assert "note" not in moved and moved["to_name"] == "Bob"


def test_a_transcript_mail_leaves_the_internal_messages_out() -> None:
    notices = [
        engine_notices.DialogOpened("d-1", 1, 1.0, "Vera", {}),
        engine_notices.MessagePosted("d-1", 2, 2.0, "manager", "Maria", "Hello from the manager"),
        engine_notices.InternalMessage("d-1", 3, 3.0, "manager", "maria", "Maria", "secret advice"),
    ]
    entries = visitor_entries(notices)
    assert [e["type"] for e in entries] == ["dialog.opened", "dialog.message"]
    mail = build_transcript("d-1", entries)
    assert "Hello from the manager" in mail.text and "secret advice" not in mail.text + mail.html


async def test_a_manager_takes_a_queued_dialog_for_an_operator_with_room(node: Node) -> None:
    bob = await node.operator("bob")
    await bob.set_status("on_break")  # takes no new dialogs by himself
    maria = await node.manager()
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await vera.expect({"type": "dialog.position", "dialog": dialog})
    with pytest.raises(RefusedError) as refused:
        await maria.take_over(dialog, "zed")
    assert refused.value.frame["message"] == (
        f"cannot take over dialog {dialog}: zed is not logged in")
    ack = await maria.take_over(dialog, "bob")
    assert ack["type"] == "ack" and ack["dialog"] == dialog
    await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.expect({"type": "dialog.assigned", "dialog": dialog, "operator_name": "Bob"})
