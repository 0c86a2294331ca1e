"""Monitoring shown (issue 16) over real websockets: with ``[supervision] show_monitoring``
on, the operator's socket gets ``dialog.monitoring`` while a manager monitors (off again when
the manager's socket goes — the last of their sockets monitoring it: two tabs, one closed,
still monitored); with it off, nothing; the visitor's socket never."""

from __future__ import annotations

import pytest
import trio

from frontdesk.adapters.client import ManagerClient, OperatorClient, VisitorClient
from tests.web.nodes import Node


async def _monitored(node: Node) -> tuple[OperatorClient, VisitorClient, ManagerClient, str]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    maria = await node.manager()
    await maria.monitor(dialog)
    return ann, vera, maria, dialog


async def test_the_operator_is_told_a_manager_is_watching(node: Node) -> None:
    ann, vera, maria, dialog = await _monitored(node)
    on = await ann.expect({"type": "dialog.monitoring", "dialog": dialog})
    assert on["watched"] is True
    await maria.aclose()
    await ann.expect({"type": "dialog.monitoring", "dialog": dialog, "watched": False})
    assert not [f for f in vera.received if f["type"] == "dialog.monitoring"]


@pytest.mark.parametrize("node_options", [{"show_monitoring": False}])
async def test_with_the_setting_off_the_operator_is_told_nothing(node: Node) -> None:
    ann, _, maria, dialog = await _monitored(node)
    await maria.internal(dialog, "a marker after the monitor")
    await ann.expect({"type": "dialog.internal", "text": "a marker after the monitor"})
    assert not [f for f in ann.received if f["type"] == "dialog.monitoring"]


async def test_closing_one_of_two_tabs_of_a_manager_leaves_the_dialog_monitored(
        node: Node) -> None:
    ann, _, tab_1, dialog = await _monitored(node)
    await ann.expect({"type": "dialog.monitoring", "dialog": dialog, "watched": True})
    (first,) = [c for c in node.ctx.connections if c.kind == "manager"]  # tab 1's, server side
    tab_2 = await node.manager()  # the same manager, a second tab
    await tab_2.monitor(dialog)
    await tab_1.aclose()
    with trio.fail_after(10):
        await first.ended.wait()  # the server has let tab 1 go (its Monitor(off) is sent)
    await tab_2.internal(dialog, "a marker after the first tab closed")
    await ann.expect({"type": "dialog.internal", "text": "a marker after the first tab closed"})
    await node.settle()
    assert [f["watched"] for f in ann.received if f["type"] == "dialog.monitoring"] == [True]
    snap = next(d for d in node.engine.snapshot()["dialogs"] if d["id"] == dialog)
    assert snap["monitored"] is True
    await tab_2.aclose()
    await ann.expect({"type": "dialog.monitoring", "dialog": dialog, "watched": False})
