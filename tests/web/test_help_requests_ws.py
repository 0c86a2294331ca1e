"""Help requests over real websockets (issue 16): a manager acknowledges and resolves one,
the operator sees both, the visitor's socket gets nothing of them, live or on resume; an
operator's ``help_ack`` and an ack of a dialog without a request are refused clearly."""

from __future__ import annotations

import json

import pytest

from frontdesk.adapters.client import RefusedError
from tests.web.nodes import Node

HELP = ("dialog.help_requested", "dialog.help_acked", "dialog.help_resolved")


def _leaks(frames: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in frames if f["type"] in HELP or "angry customer" in json.dumps(f)
            or "Maria" in json.dumps(f)]


async def test_a_help_request_is_acknowledged_and_resolved_among_staff_only(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    opened = await vera.open("Vera")
    dialog, token = opened["dialog"], opened["data"]["token"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})

    with pytest.raises(RefusedError) as refused:
        await maria.help_ack(dialog)
    assert refused.value.frame["code"] == "invalid"
    assert refused.value.frame["message"] == (
        f"cannot acknowledge the help request in dialog {dialog}: no help request is waiting")

    await ann.help(dialog, "angry customer")
    await maria.expect({"type": "dialog.help_requested", "dialog": dialog})
    with pytest.raises(RefusedError) as refused:
        await ann.request({"type": "help_ack", "dialog": dialog})
    assert refused.value.frame["code"] == "forbidden"
    assert "a manager's frame" in refused.value.frame["message"]

    assert (await maria.help_ack(dialog))["type"] == "ack"
    acked = await ann.expect({"type": "dialog.help_acked", "dialog": dialog})
    assert (acked["manager"], acked["name"]) == ("maria", "Maria")
    snap = await maria.snapshot()
    (req,) = snap["help_requests"]
    assert req["acked_by"] == "maria" and snap["figures"]["help_requests"] == 0

    await ann.help_resolve(dialog, "sorted")
    done = await maria.expect({"type": "dialog.help_resolved", "dialog": dialog})
    assert (done["author"], done["name"], done["text"]) == ("operator", "Ann", "sorted")
    assert (await maria.snapshot())["help_requests"] == []

    await ann.say(dialog, "All fine now")
    await vera.expect({"type": "dialog.message", "text": "All fine now"})
    assert _leaks(vera.received) == []
    again = await node.visitor()  # a resume from 0: nothing of the help request either
    await again.resume(dialog, token, after_seq=0)
    await again.expect({"type": "dialog.message", "text": "All fine now"})
    assert _leaks(again.received) == []

    await maria.close(dialog)
    with pytest.raises(RefusedError) as refused:
        await maria.help_ack(dialog)
    assert refused.value.frame["code"] == "closed"
    assert refused.value.frame["message"].endswith(f"dialog {dialog}: it is closed")
