"""Hostile peers on ``/ws/replication`` of a cluster node that has a secret.

A stranger does not hold the cluster secret: whatever it sends — a hello with fields of
the wrong type, lone surrogates, nesting past any limit, huge numbers, an auth with a
made-up proof, frames out of order, binary frames, garbage — docs/failover.md allows only
two ends: ``repl.refused {reason: "cluster authentication failed"}`` and close **1008**
(the authentication failed), or close **1002** (a malformed handshake) — and, as on every
endpoint, **1009** for a frame over ``server.max_frame_bytes``. It never gets a
``repl.welcome`` or records; the node stays primary, alive, serving the bystander.
"""

from __future__ import annotations

import secrets
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import model
from tests.fuzz.bystander import Bystander
from tests.fuzz.fuzz_node import TIMEOUT_S, FuzzNode
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import garbage, hostile_text, json_values, nested

HELLO_FIELDS = ("node", "url", "nonce", "epoch", "last_seq", "runs", "secret")


def good_hello() -> dict[str, Any]:
    return {"type": "repl.hello", "node": "stranger", "url": "http://127.0.0.1:9",
            "nonce": secrets.token_hex(16), "epoch": 0, "last_seq": 0, "runs": []}


@st.composite
def hello(draw: st.DrawFn) -> str | bytes:
    frame = good_hello()
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(HELLO_FIELDS))
        frame[key] = draw(st.one_of(
            json_values(6), hostile_text(max_size=80),
            st.sampled_from([10**30, -1, 2**63, 1.5, "", "0" * 64, "g" * 32]),
            st.integers(0, 40).map(lambda n: nested(n, 1)),
            st.lists(st.lists(st.integers(-5, 2**64), max_size=3), max_size=3),
        ))
    if draw(st.integers(0, 6)) == 0:
        frame["type"] = draw(st.sampled_from(["repl.auth", "repl.ack", "repl.records", "hello"]))
    return model.encode(frame)


@st.composite
def after_hello(draw: st.DrawFn) -> str | bytes:
    """What a stranger sends after the challenge: a made-up proof, or anything."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        proof = draw(st.one_of(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
                               json_values(4), hostile_text(max_size=70)))
        return model.encode({"type": "repl.auth", "proof": proof})
    if kind == 1:
        return model.encode({"type": draw(st.sampled_from(
            ["repl.ack", "repl.accounts", "repl.hello", "repl.records"])),
            "seq": draw(st.integers(0, 2**64)), "users": draw(json_values(4))})
    case = draw(garbage())
    return case.payload


def short(frames: list[str | bytes]) -> str:
    return repr([f[:200] for f in frames])


def test_strangers_on_the_replication_link(fuzz_node: FuzzNode, bystander: Bystander) -> None:
    fuzz_node.assert_alive()

    @fuzz_settings(1.0)
    @given(first=st.one_of(hello(), hello(), garbage().map(lambda c: c.payload)),
           then=st.lists(after_hello(), max_size=3))
    def example(first: str | bytes, then: list[str | bytes]) -> None:
        ws = fuzz_node.ws_raw("/ws/replication")
        try:
            # a binary frame last: whatever state the handshake is in, the server decides at
            # once (1002) instead of waiting out its handshake timeout
            frames = [first, *then, b"end"]
            for frame in frames:
                if ws.closed_with is not None:
                    break
                ws.send(frame)
                ws.drain()
            code = ws.wait_closed(TIMEOUT_S)
        finally:
            ws.close()
        kinds = [f.get("type") for f in ws.frames]
        assert "repl.welcome" not in kinds and "repl.records" not in kinds, ws.frames
        allowed = {1008, 1002}
        if any(len(f if isinstance(f, bytes) else f.encode()) > model.MAX_FRAME_BYTES
               for f in frames):
            allowed.add(1009)  # as on every endpoint: a frame over server.max_frame_bytes
        assert code in allowed, f"closed {code} after {short(frames)}: {ws.frames}"
        if code == 1008:
            assert ws.frames[-1] == {"type": "repl.refused",
                                     "reason": "cluster authentication failed"}, ws.frames
        fuzz_node.assert_alive()
        health = fuzz_node.cluster()
        assert health["role"] == "primary" and health["ready"], health
        bystander.check()

    example()
