"""The replication link's mutual authentication (``frontdesk.adapters.peer_auth`` on the link).

    backup  -> primary  repl.hello     {node, url, nonce, epoch, last_seq, runs}
    primary -> backup   repl.challenge {node, nonce, proof}   proof of the primary
    backup  -> primary  repl.auth      {proof}                proof of the backup
    primary -> backup   repl.welcome ... | repl.refused {reason}

The primary proves itself first; the backup answers only a primary that holds the
cluster secret, and the primary streams only to a backup that does. A peer that
fails is sent ``repl.refused`` (the primary's side) and the link is closed with
``CLOSE_UNAUTHENTICATED`` and a reason; the node itself carries on.
"""

from __future__ import annotations

import contextlib
from typing import Any

import trio

from frontdesk.adapters.peer_auth import (
    REPLICATION,
    AuthenticationError,
    check_nonce,
    link_key,
    new_nonce,
    proof,
    verify,
)
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import LinkClosedError, ReplicationError, str_field

CLOSE_UNAUTHENTICATED = 1008  # RFC 6455 "policy violation": the peer did not authenticate
CLOSE_REASON = "cluster authentication failed"


class LinkAuthError(ReplicationError):
    """The other end of the replication link did not prove it holds the cluster secret."""


def replication_key(secret: str) -> bytes:
    return link_key(secret, REPLICATION)


async def authenticate_backup(
    channel: Channel, key: bytes, name: str, hello: dict[str, Any], timeout_s: float
) -> str:
    """The primary's side, after ``repl.hello``: returns the backup's name, or raises
    ``LinkAuthError``."""
    backup = str_field(hello, "node")
    try:
        theirs = check_nonce(hello.get("nonce"), "repl.hello: field 'nonce'")
    except AuthenticationError as e:
        raise LinkAuthError(f"backup {backup!r} failed authentication: {e}") from None
    mine = new_nonce()
    await channel.send(
        {
            "type": "repl.challenge",
            "node": name,
            "nonce": mine,
            "proof": proof(key, "primary", name, theirs, mine),
        }
    )
    try:
        with trio.move_on_after(timeout_s) as scope:
            answer = await channel.receive("repl.auth")
    except LinkClosedError:
        raise LinkAuthError(
            f"backup {backup!r} failed authentication: it closed the link instead of "
            "answering (it does not accept this node's proof: a different cluster.secret?)"
        ) from None
    if scope.cancelled_caught:
        raise LinkAuthError(
            f"backup {backup!r} failed authentication: no repl.auth within {timeout_s} s"
        )
    if not verify(
        key, answer.get("proof"), role="backup", name=backup, verifier_nonce=mine,
        prover_nonce=theirs,
    ):
        raise LinkAuthError(
            f"backup {backup!r} failed authentication: its proof does not match "
            "(a different cluster.secret?)"
        )
    return backup


async def authenticate_to_primary(
    channel: Channel, key: bytes, name: str, nonce: str, *, url: str, timeout_s: float
) -> str:
    """The backup's side, after sending ``repl.hello`` with ``nonce``: returns the
    primary's name, or raises ``LinkAuthError``."""
    with trio.move_on_after(timeout_s) as scope:
        challenge = await channel.receive("repl.challenge", "repl.refused")
    if scope.cancelled_caught:
        raise LinkAuthError(f"{url} sent no repl.challenge within {timeout_s} s")
    if challenge["type"] == "repl.refused":
        raise LinkAuthError(f"{url} refused the link: {challenge.get('reason')!r:.200}")
    primary = str_field(challenge, "node")
    try:
        theirs = check_nonce(challenge.get("nonce"), "repl.challenge: field 'nonce'")
    except AuthenticationError as e:
        raise LinkAuthError(f"{url} did not authenticate: {e}") from None
    if not verify(
        key, challenge.get("proof"), role="primary", name=primary, verifier_nonce=nonce,
        prover_nonce=theirs,
    ):
        await channel.close(CLOSE_UNAUTHENTICATED, CLOSE_REASON)
        raise LinkAuthError(
            f"{url} ({primary!r}) failed authentication: its proof does not match "
            "(a different cluster.secret?); not sending ours"
        )
    await channel.send({"type": "repl.auth", "proof": proof(key, "backup", name, theirs, nonce)})
    return primary


async def refuse_unauthenticated(channel: Channel) -> None:
    """Tell the peer why (no epoch, no primary URL: it proved nothing), then close."""
    with contextlib.suppress(ReplicationError):
        await channel.send({"type": "repl.refused", "reason": CLOSE_REASON})
    await channel.close(CLOSE_UNAUTHENTICATED, CLOSE_REASON)
