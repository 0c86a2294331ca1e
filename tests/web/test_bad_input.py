"""Bad input gets a clear error (or 1009 for size); the connection's other dialogs, the other
connections and the server go on, and nothing is lost."""

from __future__ import annotations

import json

import pytest

from frontdesk.adapters.client import OperatorClient, VisitorClient
from tests.web.nodes import Node


async def a_conversation(node: Node) -> tuple[OperatorClient, VisitorClient, VisitorClient,
                                              str, str]:
    """ann holds two dialogs, each with its own visitor."""
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera, vic = await node.visitor(), await node.visitor()
    d1 = (await vera.open("Vera"))["dialog"]
    d2 = (await vic.open("Vic"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": d1})
    await ann.expect({"type": "operator.dialog_added", "dialog": d2})
    return ann, vera, vic, d1, d2


async def still_works(
    ann: OperatorClient, vera: VisitorClient, vic: VisitorClient, d1: str, d2: str, *, tag: str
) -> None:
    await ann.say(d1, f"to vera {tag}")
    await ann.say(d2, f"to vic {tag}")
    await vera.expect({"type": "dialog.message", "text": f"to vera {tag}"})
    await vic.expect({"type": "dialog.message", "text": f"to vic {tag}"})
    await vera.say(f"from vera {tag}")
    await ann.expect({"type": "dialog.message", "dialog": d1, "text": f"from vera {tag}"})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{this is not json", "bad_json"),
        ("[1, 2, 3]", "bad_json"),
        (json.dumps({"type": "fly", "ref": "bad-1"}), "unknown_type"),
        (json.dumps({"type": "say", "ref": "bad-1", "text": "where to?"}), "missing_field"),
        (json.dumps({"type": "transfer", "ref": "bad-1", "dialog": "d-1", "to": 7}), "bad_field"),
        (json.dumps({"type": "status", "ref": "bad-1", "status": "asleep"}), "bad_field"),
    ],
)
async def test_each_bad_frame_gets_an_error_and_nothing_else_changes(
    node: Node, raw: str, code: str
) -> None:
    ann, vera, vic, d1, d2 = await a_conversation(node)
    await still_works(ann, vera, vic, d1, d2, tag="before")
    await ann.send_raw(raw)
    error = await ann.expect("error")
    assert error["code"] == code and error["message"]
    if "bad-1" in raw and code != "bad_json":
        assert error["ref"] == "bad-1"
    await still_works(ann, vera, vic, d1, d2, tag="after")
    assert ann.connections == 1 and ann.close_codes == []
    assert ann.duplicates == [] and vera.duplicates == []


async def test_a_visitor_binary_frame_is_bad_json(node: Node) -> None:
    vera = await node.visitor()
    await vera.open("Vera")
    await vera.send_raw(b"\x00\xff")
    assert (await vera.expect("error"))["code"] == "bad_json"
    answer = await vera.say("fine")  # the connection goes on: the message is posted
    assert answer["type"] == "dialog.message" and answer["text"] == "fine"


@pytest.mark.parametrize("node_options", [{"max_frame_bytes": 4096}])
async def test_an_oversized_frame_closes_1009_and_the_client_resumes_without_loss(
    node: Node,
) -> None:
    ann, vera, vic, d1, d2 = await a_conversation(node)
    await still_works(ann, vera, vic, d1, d2, tag="before")
    await ann.send_raw(json.dumps({"type": "say", "ref": "big", "dialog": d1,
                                   "text": "x" * 5000}))
    assert await ann.expect_close() == 1009
    await vera.say("while ann reconnects")  # said while ann's socket is down
    await ann.wait_connected()
    assert ann.connections == 2
    heard = await ann.expect({"type": "dialog.message", "text": "while ann reconnects"})
    assert heard["dialog"] == d1
    await still_works(ann, vera, vic, d1, d2, tag="after")
    texts = [f["text"] for f in ann.received if f["type"] == "dialog.message"
             and f["dialog"] == d1]
    assert texts == ["to vera before", "from vera before", "while ann reconnects",
                     "to vera after", "from vera after"]
    assert vic.close_codes == [] and vera.close_codes == []


@pytest.mark.parametrize("node_options", [{"rate_limit_per_s": 0.001, "rate_limit_burst": 5}])
async def test_frames_over_the_rate_limit_are_refused_and_dropped(node: Node) -> None:
    vera = await node.visitor()
    await vera.open("Vera")  # 1 token
    for n in range(4):  # 4 tokens: the burst is spent
        await vera.say(f"m{n}")
    await vera.send({"type": "say", "ref": "over", "text": "one too many"})
    refused = await vera.expect({"type": "error", "ref": "over"})
    assert refused["code"] == "rate_limited"
    texts = [f["text"] for f in vera.received if f["type"] == "dialog.message"]
    assert "one too many" not in texts
    other = await node.visitor()  # the limit is per connection
    assert (await other.open("Other"))["type"] == "ack"
