"""Signed, self-contained session tokens: valid on every node holding the cluster secret.

A token is ``base64url(payload) + "." + base64url(HMAC-SHA256(key, base64url(payload)))``
where the payload is the JSON object ``{login, name, role, capacity, exp, iat, sid}``
(``exp`` and ``iat``, issued at, in wall-clock seconds; ``sid`` random so that two sessions
never share a token). The key
is derived from ``cluster.secret`` with a label (``HMAC-SHA256(secret, LABEL)``), so a
token's signature never exposes the secret the replication hello carries.

Only the signature and the payload's shape are checked here; expiry and logouts are
``frontdesk.adapters.accounts.Accounts``'s business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

LABEL = b"frontdesk session token v1"
MAX_NAME_CHARS = 120  # a token travels in a cookie: keep it well under 4 KiB
MAX_TOKEN_CHARS = 1024
_ROLES = ("operator", "manager")  # the roles text: one of them or "operator,manager"


@dataclass(frozen=True)
class SessionClaims:
    login: str
    name: str
    role: str
    capacity: int | None
    exp: float
    sid: str
    iat: float = 0.0  # issued at (wall clock); a password change ends the sessions before it


def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a token: how stores, revocations and socket indexes name it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_signed(token: str) -> bool:
    """Does ``token`` look like a signed token (random tokens have no ``.``)?"""
    return "." in token


class SessionSigner:
    """Signs and checks session tokens with a key derived from the cluster secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a session signer needs a cluster secret, got an empty one")
        self._key = hmac.new(secret.encode("utf-8"), LABEL, hashlib.sha256).digest()

    def sign(self, login: str, name: str, role: str, capacity: int | None, exp: float, *,
             iat: float = 0.0) -> str:
        claims = {"login": login, "name": name[:MAX_NAME_CHARS], "role": role,
                  "capacity": capacity, "exp": exp, "iat": iat, "sid": secrets.token_urlsafe(16)}
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str) -> SessionClaims | None:
        """The claims of a token signed with this key and well formed; else None."""
        if len(token) > MAX_TOKEN_CHARS:
            return None
        body, sep, mac = token.partition(".")
        if not sep or not hmac.compare_digest(mac.encode("ascii", "replace"),
                                              self._mac(body).encode("ascii")):
            return None
        try:
            data = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return None
        return _claims(data)

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii", "replace"), hashlib.sha256).digest())


def _claims(data: Any) -> SessionClaims | None:
    if not isinstance(data, dict):
        return None
    login, name, role = data.get("login"), data.get("name"), data.get("role")
    capacity, sid = data.get("capacity"), data.get("sid")
    exp: Any = data.get("exp")
    if not (isinstance(login, str) and login and isinstance(name, str) and _roles_ok(role)
            and isinstance(sid, str)):
        return None
    if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool)):
        return None
    iat: Any = data.get("iat", 0.0)
    if not (_is_number(exp) and _is_number(iat)):
        return None
    return SessionClaims(login, name, str(role), capacity, float(exp), sid, float(iat))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _roles_ok(value: object) -> bool:
    """One role or several comma-separated (``adapters.account_models.roles_of`` reads it)."""
    return isinstance(value, str) and bool(value) and set(value.split(",")) <= set(_ROLES)
