"""Login sessions of the accounts store: random or signed tokens, expiry, revocations.

Without a cluster secret a token is ``secrets.token_urlsafe(32)``, valid where its row is
(only its SHA-256 is stored). With one it is signed and self-contained
(``frontdesk.adapters.session_tokens``): every node holding the secret accepts it, records it the
first time it sees it, and refuses it once it is revoked (``account_session_ended``, which
replicates: ``frontdesk.adapters.account_state``) or issued before the user's last password change
(``iat`` < ``sessions_after``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from frontdesk.adapters.account_models import Tables, User, UserTable, roles_of
from frontdesk.adapters.session_tokens import SessionClaims, SessionSigner, is_signed, token_digest
from frontdesk.engine.clock import Clock


class Sessions:
    def __init__(
        self, tables: Tables, *, clock: Clock | Any, ttl_s: float, signer: SessionSigner | None,
        sql: Callable[[str], AbstractContextManager[None]],
        atomic: Callable[[], AbstractContextManager[Any]],
        to_user: Callable[[UserTable], User], changed: Callable[[], None],
    ) -> None:
        self._t = tables
        self._clock = clock
        self._ttl_s = ttl_s
        self._signer = signer
        self._sql = sql
        self._atomic = atomic
        self._to_user = to_user
        self._changed = changed

    def new(self, user: User) -> str:
        """A new session token: signed when there is a cluster secret, else random."""
        now = self._clock.now()
        expires_at = now + self._ttl_s
        if self._signer is None:
            token = secrets.token_urlsafe(32)
        else:
            token = self._signer.sign(user.login, user.name, user.roles_text, user.capacity,
                                      expires_at, iat=now)
        with self._sql(f"open a session for {user.login!r}"):
            self._t.session.create(
                token_hash=token_digest(token), user_id=user.id, created_at=now,
                expires_at=expires_at,
            )
        return token

    def user(self, token: str) -> User | None:
        """The user of a live session; None for an unknown, ended or expired token.

        A signed token (with a cluster secret) needs no row here: its user comes from
        this node's account row of that login when there is one (its current name, role
        and capacity), else from the token itself (``id`` 0).
        """
        if not token:
            return None
        claims = self._claims(token)
        if claims is not None:
            return self._signed_session_user(token, claims)
        if self._signer is not None and is_signed(token):
            return None  # signed with another secret, or tampered with
        with self._sql("look up a session"):
            session = self._t.session.get_or_none(self._t.session.token_hash == token_digest(token))
            if session is None:
                return None
            if session.expires_at <= self._clock.now():
                session.delete_instance()
                return None
            row = self._t.user.get_or_none(self._t.user.id == session.user_id)
        return None if row is None else self._to_user(row)

    def end(self, token: str) -> bool:
        """End a session; False if there was none (or it had ended or expired already).

        A signed token is also recorded as ended, so this node refuses it until it expires.
        """
        claims = self._claims(token)
        digest = token_digest(token)
        with self._sql("end a session"), self._atomic():
            row = self._t.session.get_or_none(self._t.session.token_hash == digest)
            if row is not None:
                row.delete_instance()
            expires_at = claims.exp if claims is not None else (
                None if row is None else float(row.expires_at))
            if expires_at is None or expires_at <= self._clock.now():
                return False
            if self._t.ended.get_or_none(self._t.ended.token_hash == digest) is not None:
                return False
            # recorded for the other node too (replicated), where the token may be live
            self._t.ended.insert(token_hash=digest, expires_at=expires_at).on_conflict_ignore(
            ).execute()
        self._changed()
        return True

    def purge_expired(self) -> int:
        with self._sql("purge expired sessions"):
            now = self._clock.now()
            expired = self._t.session.delete().where(self._t.session.expires_at <= now)
            self._t.ended.delete().where(self._t.ended.expires_at <= now).execute()
            return int(expired.execute())

    def _claims(self, token: str) -> SessionClaims | None:
        if self._signer is None or not is_signed(token):
            return None
        return self._signer.verify(token)

    def _signed_session_user(self, token: str, claims: SessionClaims) -> User | None:
        now = self._clock.now()
        digest = token_digest(token)
        with self._sql(f"look up a session of {claims.login!r}"):
            if claims.exp <= now:
                self._t.session.delete().where(self._t.session.token_hash == digest).execute()
                return None
            if self._t.ended.get_or_none(self._t.ended.token_hash == digest) is not None:
                return None  # logged out on this node
            row = self._t.user.get_or_none(self._t.user.login == claims.login)
            if row is not None and claims.iat < row.sessions_after:
                return None  # issued before the last password change
            if self._t.session.get_or_none(self._t.session.token_hash == digest) is None:
                self._t.session.insert(  # recorded here too, the first time this node sees it
                    token_hash=digest, user_id=0 if row is None else row.id,
                    created_at=now, expires_at=claims.exp,
                ).on_conflict_ignore().execute()
        if row is not None:
            return self._to_user(row)
        roles = roles_of(claims.role)
        if roles is None:  # the signature held, but of roles this version does not know
            return None
        return User(0, claims.login, claims.name, roles, claims.capacity)
