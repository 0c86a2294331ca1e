"""Frames with lone surrogates over a real websocket never wedge a dialog nor pin an
operator's capacity (issue 12, finding 3). Each is refused (``bad_field`` where the wire
validates it, else ``invalid`` from the engine), never ``unavailable``."""

from __future__ import annotations

from tests.web.nodes import Node


async def test_surrogate_frames_are_refused_and_nothing_is_given_up(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    for i in range(18):  # what used to fill an operator's capacity and give the dialog up
        # the valid JSON escape \ud800: a lone surrogate once decoded
        await vera.send_raw(f'{{"type":"say","ref":"p{i}","dialog":"{dialog}","text":"x\\ud800"}}')
        await vera.send_raw(f'{{"type":"open","ref":"q{i}","name":"Eve\\ud800"}}')
    errors = []
    for i in range(18):
        for ref in (f"p{i}", f"q{i}"):
            errors.append(await vera.wait_for({"type": "error", "ref": ref}))
    assert {e["code"] for e in errors} <= {"bad_field", "invalid"}, errors
    # the dialog still works both ways, and closes
    await vera.say("still here")
    await ann.expect({"type": "dialog.message", "text": "still here"})
    await ann.say(dialog, "so am I")
    await vera.expect({"type": "dialog.message", "text": "so am I"})
    await vera.close()
    snapshot = node.engine.snapshot()
    (op,) = snapshot["operators"]
    assert (op["load"], op["dialogs"]) == (0, [])
    assert snapshot["queue"] == []
    # and ann takes new dialogs up to her capacity
    others = [await node.visitor() for _ in range(3)]
    for v in others:
        d = (await v.open("V"))["dialog"]
        await ann.expect({"type": "operator.dialog_added", "dialog": d})
