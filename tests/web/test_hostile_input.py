"""Hostile text at the wire (issue 12, findings 1, 3 and 10), spoken by a hand-made client.

What must hold: a frame nested past the depth limit, a lone surrogate or a NUL in any string,
an integer where a string is documented — each is refused with an ``error`` frame naming the
field, what was expected and what came; the connection, its neighbours and the node go on,
and nothing of it reaches the engine or the journal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from frontdesk.adapters.client import login
from frontdesk.adapters.wire import MAX_JSON_DEPTH
from frontdesk.engine.events import MessagePosted
from tests.web.nodes import PASSWORD, Node
from tests.web.raw_ws import RawWs

SURROGATE = "\ud800"


async def visitor_with_dialog(node: Node) -> tuple[RawWs, str, str]:
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_json({"type": "open", "ref": "o-1", "name": "Vera"})
    ack = await ws.next_json("ack")
    return ws, ack["dialog"], ack["data"]["token"]


async def alive(ws: RawWs, tag: str) -> None:
    await ws.send_json({"type": "ping", "ref": f"alive-{tag}"})
    assert (await ws.next_json("pong"))["ref"] == f"alive-{tag}"


async def test_a_frame_nested_1000_deep_is_bad_json_and_the_node_goes_on(node: Node) -> None:
    bystander, _, _ = await visitor_with_dialog(node)
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_text('{"type":"ping","x":' + "[" * 1000 + "]" * 1000 + "}")
    error = await ws.next_json("error")
    assert error["code"] == "bad_json"
    assert f"at most {MAX_JSON_DEPTH}" in error["message"] and "1001" in error["message"]
    await alive(ws, "after")
    await alive(bystander, "bystander")
    await ws.aclose()
    await bystander.aclose()


async def test_nesting_within_the_limit_is_taken(node: Node) -> None:
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    await ws.send_text('{"type":"ping","ref":"p","x":' + nested + "}")
    assert (await ws.next_json())["type"] == "pong"
    await ws.aclose()


VISITOR_BAD: list[tuple[str, dict[str, Any]]] = [
    ("say.text", {"type": "say", "ref": "s-1", "text": f"hi {SURROGATE}"}),
    ("say.text", {"type": "say", "ref": "s-1", "text": "hi \x00 there"}),
    ("say.dialog", {"type": "say", "ref": "s-1", "dialog": f"d-{SURROGATE}", "text": "hi"}),
    ("open.name", {"type": "open", "ref": "s-1", "name": f"V{SURROGATE}"}),
    ("open.name", {"type": "open", "ref": "s-1", "name": "V\x00"}),
    ("open.info.plan", {"type": "open", "ref": "s-1", "info": {"plan": f"G{SURROGATE}"}}),
    ("open.info", {"type": "open", "ref": "s-1", "info": {f"p{SURROGATE}": "Gold"}}),
    ("open.info.seats", {"type": "open", "ref": "s-1", "info": {"seats": 3}}),
    ("resume.token", {"type": "resume", "ref": "s-1", "dialog": "d-1", "token": SURROGATE}),
    ("ping.extra[0]", {"type": "ping", "ref": "s-1", "extra": [SURROGATE]}),
]


@pytest.mark.parametrize(("field", "frame"), VISITOR_BAD)
async def test_each_bad_string_on_the_visitor_socket_is_bad_field_naming_it(
    node: Node, field: str, frame: dict[str, Any]
) -> None:
    ws, dialog, _ = await visitor_with_dialog(node)
    await ws.send_json(frame)
    error = await ws.next_json("error")
    assert error["code"] == "bad_field", error
    assert error["message"].startswith(f"{field}:"), error
    assert error["ref"] == "s-1"
    await ws.send_json({"type": "say", "ref": "s-2", "text": "still here"})
    echo = await ws.next_json("dialog.message")
    assert echo["text"] == "still here" and echo["dialog"] == dialog
    await node.settle()
    texts = [e.get("text") for e in entries_of(node, dialog)]
    assert texts == ["still here"]
    await ws.aclose()


def entries_of(node: Node, dialog: str) -> list[dict[str, Any]]:
    """The dialog's messages in the journal (the real SQLite file)."""
    return [r.data for r in node.journal.read()
            if r.type == MessagePosted.TYPE and r.stream == f"dialog:{dialog}"]


@pytest.mark.parametrize("ref", [SURROGATE, f"m-{SURROGATE}", "m\x00"])
async def test_a_bad_ref_gets_an_error_without_its_ref(node: Node, ref: str) -> None:
    ws, _, _ = await visitor_with_dialog(node)
    await ws.send_json({"type": "say", "ref": ref, "text": "hi"})
    error = await ws.next_json("error")
    assert error["code"] == "bad_field" and error["ref"] is None
    assert error["message"].startswith("ref:")
    await alive(ws, "after")
    await ws.aclose()


@pytest.mark.parametrize("ref", [7, 7.5, True, ["r"]])
async def test_a_ref_that_is_not_a_string_is_refused_naming_the_type(node: Node, ref: Any) -> None:
    ws, _, _ = await visitor_with_dialog(node)
    await ws.send_json({"type": "ping", "ref": ref})
    error = await ws.next_json("error")
    assert error["code"] == "bad_field" and error["ref"] is None
    assert error["message"].startswith("ref: expected a non-empty string")
    assert f"got {json.dumps(ref)}" in error["message"] or "got an array" in error["message"]
    await ws.aclose()


OPERATOR_BAD: list[tuple[str, dict[str, Any]]] = [
    ("status.status", {"type": "status", "ref": "x", "status": SURROGATE}),
    ("transfer.to", {"type": "transfer", "ref": "x", "dialog": "d-1", "to": f"b{SURROGATE}"}),
    ("transfer.note", {"type": "transfer", "ref": "x", "dialog": "d-1", "to": "bob",
                       "note": SURROGATE}),
    ("help.text", {"type": "help", "ref": "x", "dialog": "d-1", "text": SURROGATE}),
    ("resume.dialogs", {"type": "resume", "ref": "x", "dialogs": {SURROGATE: 1}}),
    ("say.text", {"type": "say", "ref": "x", "dialog": "d-1", "text": "\x00"}),
]


@pytest.mark.parametrize(("field", "frame"), OPERATOR_BAD)
async def test_each_bad_string_on_the_operator_socket_is_bad_field_naming_it(
    node: Node, field: str, frame: dict[str, Any]
) -> None:
    token = await login(node.url, "ann", PASSWORD)
    ws = await RawWs.connect(node.port, "/ws/operator", cookie=token)
    await ws.next_json("hello")
    await ws.send_json(frame)
    error = await ws.next_json("error")
    assert error["code"] == "bad_field" and error["ref"] == "x", error
    assert error["message"].startswith(f"{field}"), error
    await alive(ws, "after")
    await ws.aclose()


async def test_a_manager_frame_with_a_surrogate_is_refused(node: Node) -> None:
    token = await login(node.url, "maria", PASSWORD)
    ws = await RawWs.connect(node.port, "/ws/manager", cookie=token)
    await ws.next_json("hello")
    await ws.send_json({"type": "monitor", "ref": "x", "dialog": f"d-{SURROGATE}"})
    error = await ws.next_json("error")
    assert error["code"] == "bad_field" and error["message"].startswith("monitor.dialog:")
    await alive(ws, "after")
    await ws.aclose()


@pytest.mark.parametrize("bad_type", [SURROGATE, f"say{SURROGATE}"])
async def test_a_surrogate_in_the_type_gets_an_error_frame(node: Node, bad_type: str) -> None:
    ws = await RawWs.connect(node.port)
    await ws.next_json("hello")
    await ws.send_json({"type": bad_type, "ref": "t"})
    error = await ws.next_json("error")
    assert error["code"] == "bad_field" and error["message"].startswith("type:")
    await alive(ws, "after")
    await ws.aclose()
