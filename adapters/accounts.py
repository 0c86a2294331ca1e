"""Operator and manager accounts, passwords (argon2) and login sessions, on peewee.

Accounts live in their own database: by default ``<data_dir>/accounts.sqlite3``
next to the journal (so a login never waits behind a journal commit, and the
journal file holds the replicated event log only), or the same PostgreSQL
database as the journal (tables ``account`` and ``account_session``).

Passwords are hashed with argon2id (argon2-cffi); ``PasswordHashing`` holds
its cost parameters, so tests can use cheap ones. Hashing takes tens of
milliseconds at the default cost: call ``verify``/``create_user`` from a worker
thread, never on the trio thread. A session token is
``secrets.token_urlsafe(32)``; only its SHA-256 is stored, so a copy of the
database does not let anyone log in.

With a cluster secret (``cluster.secret``) a session token is signed and
self-contained instead (``frontdesk.adapters.session_tokens``): every node holding the
same secret accepts it, even one whose session table never saw it, so an
operator's console follows a failover (sessions: ``frontdesk.adapters.account_sessions``).

In a cluster the two nodes hold one set of accounts: ``export_state``/``merge_state``
(``adapters.account_merge``, rules in ``frontdesk.adapters.account_state``) exchange users,
password changes and revocations over the replication link; every change made here
is told to the listeners (``add_listener``) so the link sends it. Every argon2
computation takes a slot of ``frontdesk.adapters.hash_slots.HashSlots`` (a bound on memory).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import argon2

from frontdesk.adapters import account_merge
from frontdesk.adapters.account_models import (
    DEMO_USERS,
    MIN_PASSWORD_CHARS,
    ROLES,
    AccountError,
    EndedTable,
    HashingBusyError,
    PasswordHashing,
    Role,
    SessionTable,
    Tables,
    User,
    UserTable,
    add_missing_columns,
    roles_of,
    roles_text,
)
from frontdesk.adapters.account_models import LOGIN_PATTERN as _LOGIN
from frontdesk.adapters.account_sessions import Sessions
from frontdesk.adapters.account_state import AccountState, MergeResult
from frontdesk.adapters.hash_slots import HashSlots
from frontdesk.adapters.session_tokens import SessionSigner, token_digest
from frontdesk.adapters.storage.database import open_database, parse_database_url, translated
from frontdesk.engine.clock import Clock

if TYPE_CHECKING:
    from frontdesk.config.settings import Settings

# the vocabulary lives in adapters.account_models; importing it from here keeps working
__all__ = ["DEMO_USERS", "ROLES", "AccountError", "Accounts", "HashingBusyError", "PasswordHashing",
           "Role", "User"]

class _WallClock:
    def now(self) -> float:
        return time.time()


class Accounts:
    """Users, password checks and sessions. Safe to use from several threads."""

    def __init__(
        self,
        url: str | Path,
        *,
        hashing: PasswordHashing | None = None,
        session_ttl_s: float = 12 * 3600.0,
        clock: Clock | None = None,
        cluster_secret: str = "",
        max_concurrent_hashes: int = 2,
        hash_wait_s: float = 2.0,
    ) -> None:
        target = parse_database_url(url)
        self.where = target.describe()
        self._db = open_database(target, error=AccountError)
        self._hasher = (hashing or PasswordHashing()).hasher()
        self._hashing = HashSlots(max_concurrent_hashes, hash_wait_s)
        self._clock: Clock | _WallClock = clock or _WallClock()
        self._lock = threading.Lock()
        self._signer = SessionSigner(cluster_secret) if cluster_secret else None
        self._cluster_secret = cluster_secret
        db = self._db

        class UserRow(UserTable):
            class Meta:
                database = db
                table_name = "account"

        class SessionRow(SessionTable):
            class Meta:
                database = db
                table_name = "account_session"

        class EndedRow(EndedTable):
            class Meta:
                database = db
                table_name = "account_session_ended"

        self._user, self._session, self._ended = UserRow, SessionRow, EndedRow
        self._tables = Tables(UserRow, SessionRow, EndedRow)
        self._sessions = Sessions(
            self._tables, clock=self._clock, ttl_s=session_ttl_s, signer=self._signer,
            sql=self._sql, atomic=db.atomic, to_user=self._to_user, changed=self._changed)
        self._listeners: list[Callable[[], None]] = []
        try:
            with self._sql("open the accounts database"):
                db.create_tables([UserRow, SessionRow, EndedRow], safe=True)
                add_missing_columns(db, UserRow)
        except AccountError:
            db.tracker.close_all()
            raise
        # verify() of an unknown login checks this hash, so it takes as long as a real one
        self._dummy_hash = self._hash(secrets.token_urlsafe(16))

    @classmethod
    def from_settings(cls, settings: Settings) -> Accounts:
        a = settings.accounts
        return cls(
            settings.storage.accounts_db_url(),
            hashing=PasswordHashing(
                a.argon2_time_cost, a.argon2_memory_cost_kib, a.argon2_parallelism
            ),
            session_ttl_s=a.session_ttl_s,
            cluster_secret=settings.cluster.secret,
            max_concurrent_hashes=settings.login.max_concurrent_hashes,
            hash_wait_s=settings.login.hash_wait_s,
        )

    @property
    def hashing(self) -> HashSlots:
        """The bound on concurrent argon2 computations (its counters are read by tests)."""
        return self._hashing

    # -- users ------------------------------------------------------------------

    def create_user(
        self, login: str, name: str, role: Role | str | Iterable[str], password: str,
        capacity: int | None = None, *, weak: bool = False,
    ) -> User:
        """A new user holding ``role`` (one role, ``"operator,manager"`` or a collection of
        roles); ``weak`` (a demo user) loses to any copy of that login the other node
        holds (``updated_at`` 0), so a fresh node's demo users never overwrite real ones."""
        login = self._valid_login(login)
        roles = self._valid_roles(f"cannot create user {login!r}", role)
        if not name.strip():
            raise AccountError(
                f"cannot create user {login!r}: expected a display name, got nothing"
            )
        self._check_password(login, password)
        self._check_capacity(login, capacity)
        password_hash = self._hash(password)
        with self._sql(f"create user {login!r}"), self._db.atomic():
            if self._user.get_or_none(self._user.login == login) is not None:
                raise AccountError(f"cannot create user {login!r}: the login is taken")
            row = self._user.create(
                login=login,
                name=name.strip(),
                role=roles_text(roles),
                password_hash=password_hash,
                capacity=capacity,
                created_at=self._clock.now(),
                updated_at=0.0 if weak else self._clock.now(),
                sessions_after=0.0 if weak else self._clock.now(),  # the password's version
            )
        self._changed()
        return self._to_user(row)

    def user(self, login: str) -> User | None:
        with self._sql(f"look up user {login!r}"):
            row = self._user.get_or_none(self._user.login == login.strip().lower())
        return None if row is None else self._to_user(row)

    def users(self, role: Role | None = None) -> list[User]:
        with self._sql("list users"):
            query = self._user.select().order_by(self._user.login)
            users = [self._to_user(row) for row in query]
        return users if role is None else [u for u in users if u.has(role)]

    def set_roles(self, login: str, roles: Role | str | Iterable[str]) -> User:
        """Give ``login`` exactly ``roles`` (replicated like any profile change)."""
        valid = self._valid_roles(f"cannot set the roles of {login!r}", roles)
        with self._sql(f"set the roles of {login!r}"):
            changed = (
                self._user.update(role=roles_text(valid), updated_at=self._clock.now())
                .where(self._user.login == login.strip().lower())
                .execute()
            )
        if not changed:
            raise AccountError(f"cannot set the roles of {login!r}: no such user")
        self._changed()
        user = self.user(login)
        assert user is not None
        return user

    def set_password(self, login: str, password: str) -> None:
        """A new password; every session of the user opened before it is over, on every node
        (``sessions_after``: the signed tokens issued before it are refused too)."""
        self._check_password(login, password)
        password_hash = self._hash(password)
        now = self._clock.now()
        with self._sql(f"set the password of {login!r}"), self._db.atomic():
            row = self._user.get_or_none(self._user.login == login.strip().lower())
            if row is None:
                raise AccountError(f"cannot set the password of {login!r}: no such user")
            self._user.update(password_hash=password_hash, sessions_after=now).where(
                self._user.id == row.id).execute()
            self._session.delete().where(self._session.user_id == row.id).execute()
        self._changed()

    def set_capacity(self, login: str, capacity: int | None) -> None:
        self._check_capacity(login, capacity)
        with self._sql(f"set the capacity of {login!r}"):
            changed = (
                self._user.update(capacity=capacity, updated_at=self._clock.now())
                .where(self._user.login == login.strip().lower())
                .execute()
            )
        if not changed:
            raise AccountError(f"cannot set the capacity of {login!r}: no such user")
        self._changed()

    def verify(self, login: str, password: str) -> User | None:
        """The user if the password matches, else None; as slow for an unknown login."""
        with self._sql(f"look up user {login!r}"):
            row = self._user.get_or_none(self._user.login == login.strip().lower())
        stored = self._dummy_hash if row is None else row.password_hash
        try:
            with self._hashing.slot():
                self._hasher.verify(stored, password)
        except argon2.exceptions.VerificationError:
            return None
        except argon2.exceptions.InvalidHashError:
            raise AccountError(
                f"cannot check the password of {login!r}: its stored hash is not argon2"
            ) from None
        if row is None:
            return None
        if self._hasher.check_needs_rehash(stored):
            with self._sql(f"rehash the password of {login!r}"):
                self._user.update(password_hash=self._hash(password)).where(
                    self._user.id == row.id
                ).execute()
        return self._to_user(row)

    def ensure_demo_users(
        self, passwords: Mapping[str, str] | None = None
    ) -> list[tuple[str, str, Role]]:
        """Two demo operators and a demo manager, as ``(login, password, role)``.

        Passwords are random unless given, or, with a cluster secret, derived from it (so
        both nodes of a cluster print the same set); an existing demo user gets the new
        password, so what is returned always works (the CLI prints it).
        """
        given = dict(passwords or {})
        made: list[tuple[str, str, Role]] = []
        for login, name, role in DEMO_USERS:
            password = given.pop(login, None) or self._demo_password(login)
            if self.user(login) is None:
                self.create_user(login, name, role, password, weak=True)
            elif self.verify(login, password) is None:  # unchanged: its sessions go on
                self.set_password(login, password)
            made.append((login, password, role))
        if given:
            raise AccountError(
                f"demo passwords given for unknown demo users {sorted(given)}: "
                f"expected some of {[login for login, _, _ in DEMO_USERS]}"
            )
        return made

    # -- sessions (frontdesk.adapters.account_sessions) -------------------------------------------

    def new_session(self, user: User) -> str:
        """A new session token: signed when there is a cluster secret, else random."""
        return self._sessions.new(user)

    def session_user(self, token: str) -> User | None:
        """The user of a live session; None for an unknown, ended or expired token."""
        return self._sessions.user(token)

    def end_session(self, token: str) -> bool:
        """End a session; False if there was none (or it had ended or expired already)."""
        return self._sessions.end(token)

    def purge_expired_sessions(self) -> int:
        return self._sessions.purge_expired()

    def close(self) -> None:
        with self._lock:
            self._db.tracker.close_all()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one set of accounts for the cluster (frontdesk.adapters.account_state) -----------------

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` (in the changing thread) after each change made here."""
        self._listeners.append(listener)

    def export_state(self) -> AccountState:
        """Every user and every unexpired revocation, to send to the other node."""
        with self._sql("export the accounts"):
            return account_merge.export_state(self._tables, self._clock.now())

    def merge_state(self, state: AccountState) -> MergeResult:
        """Take what is newer in ``state`` (see adapters.account_state); what ended here."""
        with self._sql("merge the other node's accounts"), self._db.atomic():
            return account_merge.merge_state(self._tables, state, self._clock.now())

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _demo_password(self, login: str) -> str:
        if self._cluster_secret:  # both nodes derive the same: one set for the cluster
            mac = hmac.new(self._cluster_secret.encode("utf-8"),
                           f"frontdesk demo password {login}".encode(), hashlib.sha256)
            return mac.hexdigest()[:12]
        return secrets.token_urlsafe(9)

    # -- internals ------------------------------------------------------------------

    def _sql(self, operation: str) -> AbstractContextManager[None]:
        return translated(self.where, operation, AccountError)

    def _hash(self, password: str) -> str:
        with self._hashing.slot():
            return self._hasher.hash(password)

    def _valid_login(self, login: str) -> str:
        normal = login.strip().lower()
        if not _LOGIN.fullmatch(normal):
            raise AccountError(
                "login: expected 1-64 characters a-z 0-9 . _ @ - starting with a letter or "
                f"digit, got {login!r}"
            )
        return normal

    def _valid_roles(self, what: str, given: str | Iterable[str]) -> tuple[Role, ...]:
        roles = roles_of(given if isinstance(given, str) else ",".join(given))
        if roles is None:
            raise AccountError(
                f"{what}: roles expected operator, manager or both, got {given!r}"
            )
        return roles

    def _check_password(self, login: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(
                f"password of {login!r}: expected at least {MIN_PASSWORD_CHARS} characters, "
                f"got {len(password)}"
            )

    def _check_capacity(self, login: str, capacity: int | None) -> None:
        if capacity is not None and capacity < 0:
            raise AccountError(
                f"capacity of {login!r}: expected a number of dialogs >= 0 or none, got {capacity}"
            )

    def _to_user(self, row: UserTable) -> User:
        roles = roles_of(row.role)
        if roles is None:
            raise AccountError(
                f"the account {row.login!r} in {self.where}: roles expected operator, manager "
                f"or both, got {row.role!r}"
            )
        return User(int(row.id), str(row.login), str(row.name), roles, row.capacity)


_digest = token_digest
