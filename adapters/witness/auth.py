"""The witness link's mutual authentication (``frontdesk.adapters.peer_auth`` on the link).

    node    -> witness  {"type": "hello", "node", "nonce"}
    witness -> node     {"type": "challenge", "nonce", "proof"}   proof of the witness
    node    -> witness  {"type": "auth", "proof"}                 proof of the node
    witness -> node     {"type": "welcome"}

Only then does the witness take requests (acquire, renew, release, status) on that
connection. A peer that fails is answered ``{"type": "error", "message"}`` and the
connection is closed with 1008 and a reason; the witness carries on.
"""

from __future__ import annotations

import json
from typing import Any

import trio
from trio_websocket import WebSocketConnection

from frontdesk.adapters.peer_auth import (
    WITNESS,
    AuthenticationError,
    check_nonce,
    link_key,
    new_nonce,
    proof,
    verify,
)

WITNESS_NAME = "witness"
CLOSE_UNAUTHENTICATED = 1008
CLOSE_REASON = "cluster authentication failed"


def witness_key(secret: str) -> bytes:
    return link_key(secret, WITNESS)


def _frame(raw: str | bytes, expected: str) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):
        frame = None
    if not isinstance(frame, dict) or frame.get("type") != expected:
        raise AuthenticationError(f"expected a {expected!r} frame, got {raw[:120]!r}")
    return frame


async def accept_node(ws: WebSocketConnection, key: bytes, timeout_s: float) -> str:
    """The witness's side: returns the node's name or raises ``AuthenticationError``."""
    with trio.fail_after(timeout_s):
        hello = _frame(await ws.get_message(), "hello")
        node = hello.get("node")
        if not isinstance(node, str):
            raise AuthenticationError(f"hello: field 'node' expected a string, got {node!r:.60}")
        theirs = check_nonce(hello.get("nonce"), "hello: field 'nonce'")
        mine = new_nonce()
        await ws.send_message(
            json.dumps(
                {
                    "type": "challenge",
                    "nonce": mine,
                    "proof": proof(key, "witness", WITNESS_NAME, theirs, mine),
                }
            )
        )
        answer = _frame(await ws.get_message(), "auth")
    if not verify(
        key, answer.get("proof"), role="node", name=node, verifier_nonce=mine,
        prover_nonce=theirs,
    ):
        raise AuthenticationError(
            f"node {node!r} failed authentication: its proof does not match "
            "(a different cluster.secret?)"
        )
    await ws.send_message(json.dumps({"type": "welcome"}))
    return node


async def authenticate_to_witness(ws: WebSocketConnection, key: bytes, node: str) -> None:
    """The node's side (bounded by the caller's timeout); raises ``AuthenticationError``."""
    nonce = new_nonce()
    await ws.send_message(json.dumps({"type": "hello", "node": node, "nonce": nonce}))
    challenge = _frame(await ws.get_message(), "challenge")
    theirs = check_nonce(challenge.get("nonce"), "challenge: field 'nonce'")
    if not verify(
        key, challenge.get("proof"), role="witness", name=WITNESS_NAME,
        verifier_nonce=nonce, prover_nonce=theirs,
    ):
        raise AuthenticationError(
            "the witness failed authentication: its proof does not match "
            "(a different cluster.secret?)"
        )
    await ws.send_message(
        json.dumps({"type": "auth", "proof": proof(key, "node", node, theirs, nonce)})
    )
    _frame(await ws.get_message(), "welcome")
