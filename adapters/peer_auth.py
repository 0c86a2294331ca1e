"""Cluster peers prove to each other that they hold the cluster secret. No I/O.

Theory of operation
-------------------
Every cluster link (a backup dialling the primary's ``/ws/replication``, a node
dialling the witness) starts with a mutual challenge. Each side sends a fresh
random nonce; each answers with an HMAC-SHA256 proof over both nonces, its role
and its name, keyed by a key derived from ``cluster.secret`` for that link
(``link_key``). The secret itself never crosses the wire, a proof is useless on
another connection (the other side's nonce is fresh) and for the other direction
(the role is in it), and proofs are compared with ``hmac.compare_digest``.

The side that was dialled proves itself first (in its challenge); the dialling
side checks that proof before it answers with its own, so neither side learns
anything from a peer that does not hold the secret. There is no channel binding:
the link is not encrypted, so run it on a trusted network or a tunnel.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from frontdesk.engine.errors import AdapterError

REPLICATION = b"frontdesk replication link v1"
WITNESS = b"frontdesk witness link v1"
NONCE_BYTES = 16


class AuthenticationError(AdapterError):
    """A cluster peer did not prove that it holds the cluster secret."""


def link_key(secret: str, link: bytes) -> bytes:
    """The key of one kind of link, derived from the cluster secret."""
    if not secret:
        raise AuthenticationError(
            "cluster.secret: expected a shared secret for cluster links, got none "
            "(set cluster.secret or FRONTDESK_CLUSTER__SECRET)"
        )
    return hmac.new(secret.encode("utf-8"), link, hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def proof(key: bytes, role: str, name: str, verifier_nonce: str, prover_nonce: str) -> str:
    """What ``name`` (acting as ``role``) sends to prove it holds ``key``: the verifier's
    nonce answers the challenge, the prover's own nonce keeps the proof one-off."""
    message = "\n".join((role, name, verifier_nonce, prover_nonce)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def check_nonce(value: object, what: str) -> str:
    """A peer's nonce: ``2 * NONCE_BYTES`` hex digits."""
    if (
        not isinstance(value, str)
        or len(value) != 2 * NONCE_BYTES
        or any(c not in "0123456789abcdef" for c in value)
    ):
        raise AuthenticationError(
            f"{what}: expected a nonce of {2 * NONCE_BYTES} hex digits, got {value!r:.80}"
        )
    return value


def verify(
    key: bytes, given: object, *, role: str, name: str, verifier_nonce: str, prover_nonce: str
) -> bool:
    """Did the peer ``name`` (as ``role``) answer my nonce (``verifier_nonce``) with the
    right proof? Compared in constant time."""
    if not isinstance(given, str) or not given.isascii():  # a proof is hex digits
        return False
    try:
        expected = proof(key, role, name, verifier_nonce, prover_nonce)
    except UnicodeEncodeError:  # a name holding a lone surrogate: nobody can prove it
        return False
    return hmac.compare_digest(given.encode("ascii"), expected.encode("ascii"))
