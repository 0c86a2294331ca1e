"""Operators stay logged in across a reload; logged out by `logout` or after the grace period."""

from __future__ import annotations

from typing import Any

from tests.web.nodes import Node


def without(login: str) -> Any:
    def check(frame: dict[str, Any]) -> bool:
        return frame["type"] == "operators" and login not in {o["id"] for o in frame["operators"]}
    return check


def operator_ids(node: Node) -> set[str]:
    return {o["id"] for o in node.engine.snapshot()["operators"]}


async def test_an_operator_without_a_socket_is_logged_out_after_the_grace_period(
    node: Node,
) -> None:
    maria = await node.manager()
    ann = await node.operator("ann")
    await ann.set_status("connected")
    await ann.aclose()
    await node.advance(node.ctx.options.operator_grace_s - 1)
    assert "ann" in operator_ids(node)
    await node.advance(2)
    await maria.wait_for(without("ann"))
    assert "ann" not in operator_ids(node)
    assert node.ctx.presence.logouts == 1


async def test_the_grace_requeues_at_the_head_and_says_the_operator_was_disconnected(
    node: Node,
) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    held = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": held})
    await ann.set_status("no_new_dialog")
    pia = await node.visitor()
    waiting = (await pia.open("Pia"))["dialog"]
    await ann.aclose()
    await node.advance(node.ctx.options.operator_grace_s + 1)
    requeued = await vera.wait_for({"type": "dialog.requeued", "dialog": held})
    grace = node.ctx.options.operator_grace_s
    assert requeued["reason"] == f"the operator was disconnected for {grace:g} s"
    assert node.engine.snapshot()["queue"] == [held, waiting]  # the head, not the tail


async def test_a_reload_within_the_grace_period_keeps_the_operator_and_its_dialogs(
    node: Node,
) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.aclose()
    await node.advance(30)
    again = await node.operator("ann")
    await again.expect({"type": "operator.dialog_added", "dialog": dialog})
    await node.advance(600)
    assert "ann" in operator_ids(node)
    await again.say(dialog, "still here")
    await vera.expect({"type": "dialog.message", "text": "still here"})
    assert node.ctx.presence.logouts == 0


async def test_logout_closes_every_socket_of_the_operator_with_1000(node: Node) -> None:
    maria = await node.manager()
    tab1 = await node.operator("ann")
    tab2 = await node.operator("ann")
    await tab2.expect("operator.status")
    ack = await tab1.logout()
    assert ack["type"] == "ack"
    assert await tab1.expect_close() == 1000
    assert await tab2.expect_close() == 1000
    await maria.wait_for(without("ann"))
    await node.advance(3600)  # no grace timer fires for a deliberate logout
    assert node.ctx.presence.logouts == 0
