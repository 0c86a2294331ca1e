"""The visitor's presence (here / away / left) told to staff, and no ghost dialogs: a visitor
without a socket for ``visitor_grace_s`` has the dialog closed, freeing the operator's slot."""

from __future__ import annotations

import pytest

from frontdesk.adapters.client import OperatorClient, VisitorClient
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import Node, frames_of


async def chat(node: Node) -> tuple[OperatorClient, VisitorClient, str]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = str((await vera.open("Vera"))["dialog"])
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.expect({"type": "dialog.presence", "dialog": dialog, "presence": "here"})
    return ann, vera, dialog


async def test_presence_follows_the_visitors_sockets_and_pages(node: Node) -> None:
    ann, vera, dialog = await chat(node)
    token = vera.tokens[dialog]
    # A second tab of the visitor resumes the same dialog; one page hidden: still here.
    tab2 = await node.visitor()
    await tab2.resume(dialog, token)
    await vera.send({"type": "presence", "dialog": dialog, "away": True})
    await node.settle()
    await tab2.send({"type": "presence", "dialog": dialog, "away": True})
    await ann.expect({"type": "dialog.presence", "dialog": dialog, "presence": "away"})
    assert [f["presence"] for f in frames_of(ann, "dialog.presence", dialog)] == ["here", "away"]
    await tab2.send({"type": "presence", "dialog": dialog, "away": False})
    await ann.expect(lambda f: f.get("type") == "dialog.presence"
                     and len(frames_of(ann, "dialog.presence", dialog)) == 3)
    assert frames_of(ann, "dialog.presence", dialog)[-1]["presence"] == "here"
    await vera.aclose()
    await tab2.aclose()
    await ann.expect(lambda f: f.get("type") == "dialog.presence" and f["presence"] == "left")
    # The visitor never sees its own presence.
    assert frames_of(vera, "dialog.presence") == [] and frames_of(tab2, "dialog.presence") == []
    # A console that resumes is told the current presence.
    ann2 = await node.operator("ann")
    await ann2.expect({"type": "dialog.presence", "dialog": dialog, "presence": "left"})


@pytest.mark.parametrize(
    ("engine_settings", "node_options"),
    [(EngineSettings(default_capacity=1), {"visitor_grace_s": 30.0})],
)
async def test_a_visitor_gone_past_the_grace_period_has_the_dialog_closed(node: Node) -> None:
    ann, vera, dialog = await chat(node)
    grace = node.ctx.options.visitor_grace_s
    await vera.aclose()
    await ann.expect({"type": "dialog.presence", "dialog": dialog, "presence": "left"})
    await node.advance(grace - 1)
    assert frames_of(ann, "dialog.closed", dialog) == []
    await node.advance(2)
    closed = await ann.expect({"type": "dialog.closed", "dialog": dialog})
    assert closed["by"] == "visitor"
    assert closed["reason"] == f"the visitor left (no connection for {grace:g} s)"
    assert node.ctx.visitor_presence.closed == 1
    # The slot (Ann takes one dialog at a time) is free: the next visitor is assigned to Ann.
    olga = await node.visitor()
    second = str((await olga.open("Olga"))["dialog"])
    await ann.expect({"type": "operator.dialog_added", "dialog": second})


async def test_a_visitor_back_within_the_grace_period_keeps_the_dialog(node: Node) -> None:
    ann, vera, dialog = await chat(node)
    token = vera.tokens[dialog]
    await vera.aclose()
    await ann.expect({"type": "dialog.presence", "dialog": dialog, "presence": "left"})
    await node.advance(node.ctx.options.visitor_grace_s - 1)
    back = await node.visitor()
    await back.resume(dialog, token)
    await ann.expect(lambda f: f.get("type") == "dialog.presence"
                     and frames_of(ann, "dialog.presence", dialog)[-1]["presence"] == "here"
                     and len(frames_of(ann, "dialog.presence", dialog)) == 3)
    await node.advance(600)
    assert frames_of(ann, "dialog.closed", dialog) == []
    await back.say("still here")
    await ann.expect({"type": "dialog.message", "text": "still here"})


async def test_a_presence_frame_needs_a_dialog_and_a_flag(node: Node) -> None:
    vera = await node.visitor()
    await vera.send({"type": "presence", "away": True})
    error = await vera.expect("error")
    assert "no dialog is open on this socket" in error["message"]
    await vera.open("Vera")
    await vera.send({"type": "presence", "away": "yes"})
    error = await vera.expect(lambda f: f.get("type") == "error" and f.get("code") == "bad_field")
    assert "away" in error["message"]
