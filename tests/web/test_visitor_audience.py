"""What is for staff never reaches a visitor's socket, live or on resume (issue 12, 6).

The audience is decided in the engine (``engine/audience.py``); these tests read the
frames a visitor's real websocket receives, as anyone could in a browser's tools.
"""

from __future__ import annotations

import json

from frontdesk.adapters.client import VisitorClient
from tests.web.nodes import Node

STAFF_ONLY = {"dialog.help_requested", "dialog.important"}
SECRETS = ("angry customer", "secret billing note")


def _leaks(frames: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in frames if f["type"] in STAFF_ONLY
            or any(s in json.dumps(f) for s in SECRETS) or "note" in f]


async def test_staff_entries_never_reach_the_visitor_live_or_on_resume(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    bob = await node.operator("bob")
    await bob.set_status("on_break")
    maria = await node.manager()
    vera = await node.visitor()
    opened = await vera.open("Vera")
    dialog, token = opened["dialog"], opened["data"]["token"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.wait_for(lambda f: f["type"] == "operators"
                       and {o["id"] for o in f["operators"]} == {"ann", "bob"})
    await ann.help(dialog, "angry customer")
    await ann.important(dialog)
    await ann.transfer(dialog, "bob", "secret billing note")
    await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    await bob.say(dialog, "Bob here")
    await vera.expect({"type": "dialog.message", "text": "Bob here"})
    # staff got all of it
    await maria.expect({"type": "dialog.help_requested", "text": "angry customer"})
    await maria.expect({"type": "dialog.important", "dialog": dialog})
    await bob.expect({"type": "dialog.help_requested", "text": "angry customer"})
    # live: the visitor got the transfer as names only, and nothing for staff
    moved = await vera.wait_for("dialog.transferred")
    assert set(moved) == {"type", "dialog", "seq", "epoch", "at", "from_name", "to_name"}
    assert (moved["from_name"], moved["to_name"]) == ("Ann", "Bob")
    assert _leaks(vera.received) == []
    live = [f["seq"] for f in vera.received if f.get("dialog") == dialog and "at" in f]

    # resume from 0 on a new socket: the same entries (gaps where staff entries are), once
    again = await node.visitor()
    await again.resume(dialog, token, after_seq=0)
    await again.expect({"type": "dialog.message", "text": "Bob here"})
    assert _leaks(again.received) == []
    replayed = [f["seq"] for f in again.received if f.get("dialog") == dialog and "at" in f]
    assert replayed == live == sorted(set(live))
    # resume from the last seq seen: nothing more, and what comes next still arrives
    third = await node.visitor()
    await third.resume(dialog, token, after_seq=live[-1])
    await bob.say(dialog, "still here")
    await third.expect({"type": "dialog.message", "text": "still here"})
    assert [f["type"] for f in third.received if "at" in f] == ["dialog.message"]

    # closed: the replay of a closed dialog is filtered the same way
    await bob.close(dialog)
    await vera.expect({"type": "dialog.closed", "dialog": dialog})
    late = VisitorClient(node.url)
    late = await node.started(late)
    await late.resume(dialog, token, after_seq=0)
    await late.expect({"type": "dialog.closed", "dialog": dialog})
    assert _leaks(late.received) == []
    assert _leaks(vera.received) == []
