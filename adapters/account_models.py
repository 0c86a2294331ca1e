"""What the accounts store holds: users, their roles, password hashing costs, and the tables.

``frontdesk.adapters.accounts.Accounts`` is the store; this module is its vocabulary, kept apart so
the store's module holds only its operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import argon2
import peewee
from playhouse.migrate import SchemaMigrator, migrate

from frontdesk.engine.errors import AdapterError

Role = Literal["operator", "manager"]
ROLES: tuple[Role, ...] = ("operator", "manager")
MIN_PASSWORD_CHARS = 8
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("ann", "Ann (demo operator)", "operator"),
    ("bob", "Bob (demo operator)", "operator"),
    ("maria", "Maria (demo manager)", "manager"),
)


def roles_of(value: object) -> tuple[Role, ...] | None:
    """The roles a stored or sent roles text names, in ``ROLES`` order: ``"operator"``,
    ``"manager"`` or both comma-separated (``"operator,manager"``; a row written before
    roles were a set holds one, which is a set of one). None if it names no role or an
    unknown word."""
    if not isinstance(value, str):
        return None
    words = {w.strip() for w in value.split(",")}
    if not words or not words <= set(ROLES):
        return None
    return tuple(r for r in ROLES if r in words)


def roles_text(roles: Iterable[str]) -> str:
    """The stored form of a set of roles (``ROLES`` order, comma-separated)."""
    given = set(roles)
    return ",".join(r for r in ROLES if r in given)


class AccountError(AdapterError):
    """An account could not be created or changed, or the accounts database failed."""


class HashingBusyError(AccountError):
    """Every password-hashing slot stayed taken for the whole wait: 503, retry later."""

    def __init__(self, slots: int, waited_s: float) -> None:
        super().__init__(
            f"cannot check a password now: all {slots} password-hashing slots stayed busy "
            f"for {waited_s:g} s"
        )
        self.slots = slots
        self.waited_s = waited_s


@dataclass(frozen=True)
class User:
    id: int
    login: str
    name: str
    roles: tuple[Role, ...]  # a set, in ROLES order: an account may be operator and manager
    capacity: int | None = None  # None: the engine's default capacity

    def has(self, role: str) -> bool:
        """Does the account hold ``role``?"""
        return role in self.roles

    @property
    def role(self) -> Role:
        """The account's own page's role: operator if it holds that role (the console links
        to the manager view for a manager), else manager."""
        return "operator" if "operator" in self.roles else "manager"

    @property
    def roles_text(self) -> str:
        return roles_text(self.roles)


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id cost parameters; the defaults are argon2-cffi's (RFC 9106, low memory)."""

    time_cost: int = argon2.DEFAULT_TIME_COST
    memory_cost_kib: int = argon2.DEFAULT_MEMORY_COST
    parallelism: int = argon2.DEFAULT_PARALLELISM

    @classmethod
    def cheap(cls) -> PasswordHashing:
        """Fast and weak: for tests only."""
        return cls(time_cost=1, memory_cost_kib=8192, parallelism=1)

    def hasher(self) -> argon2.PasswordHasher:
        return argon2.PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_cost_kib, parallelism=self.parallelism
        )


class UserTable(peewee.Model):
    id = peewee.AutoField()
    login = peewee.TextField(unique=True)
    name = peewee.TextField()
    role = peewee.TextField()  # the roles: "operator", "manager" or "operator,manager"
    password_hash = peewee.TextField()
    capacity = peewee.IntegerField(null=True)
    created_at = peewee.DoubleField()
    # replication (frontdesk.adapters.account_state): when this row last changed, on any node, and
    # before when its sessions are over (the last password change)
    updated_at = peewee.DoubleField(default=0.0)
    sessions_after = peewee.DoubleField(default=0.0)


class SessionTable(peewee.Model):
    token_hash = peewee.TextField(primary_key=True)  # sha256 hex of the token
    user_id = peewee.IntegerField(index=True)
    created_at = peewee.DoubleField()
    expires_at = peewee.DoubleField()


class EndedTable(peewee.Model):
    """A signed token logged out on this node, kept until it would have expired."""

    token_hash = peewee.TextField(primary_key=True)  # sha256 hex of the token
    expires_at = peewee.DoubleField()


@dataclass(frozen=True)
class Tables:
    """The store's three tables (bound to its database), for the modules that work on them."""

    user: type[UserTable]
    session: type[SessionTable]
    ended: type[EndedTable]


def add_missing_columns(db: peewee.Database, model: type[peewee.Model]) -> None:
    """Add the columns a database made by an older version lacks (e.g. ``updated_at``)."""
    table = model._meta.table_name
    have = {c.name for c in db.get_columns(table)}
    missing = [f for f in model._meta.sorted_fields if f.column_name not in have]
    if missing:
        migrator = SchemaMigrator.from_database(db)
        migrate(*(migrator.add_column(table, f.column_name, f) for f in missing))
