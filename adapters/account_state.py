"""What two nodes exchange to hold one set of accounts, and how each merges what it gets.

Theory of operation. Each node keeps its own accounts database; the two converge by
exchanging their whole account state (``AccountState``: every user with its password
hash, and every session revocation that has not expired) over the replication link
(``frontdesk.adapters.replication.accounts_link``), at each connection and after each local
change. Merging is commutative, associative and idempotent, so the order and the number
of exchanges do not matter and both nodes end equal:

- a **user** merges field by field, each part from the newer copy, so a change of one
  part on one node never undoes a change of the other part on the other node: the
  profile (name, role, capacity) by ``updated_at`` (wall-clock seconds of its last change
  on the node that made it), the password by ``sessions_after`` (the time of the last
  password change: the sessions issued before it are over); ties are broken by the values
  themselves, so both nodes pick the same;
- a **revocation** (the SHA-256 of an ended session token, with the time the token would
  have expired) is a grow-only set: a union, less what has expired.

The merge reports what it ended here (``MergeResult``), so the web layer closes those
sessions' sockets: the revocations new to this node, and the logins whose
``sessions_after`` rose.

Clock skew between the nodes matters only to the order of two changes of the same user
made on different nodes within the skew, and to a session issued on one node within
the skew of a password change on the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from frontdesk.adapters.account_models import LOGIN_PATTERN, AccountError, roles_of

MAX_USERS = 100_000
MAX_REVOCATIONS = 1_000_000


@dataclass(frozen=True)
class UserState:
    login: str
    name: str
    role: str  # the roles text (adapters.account_models.roles_text)
    password_hash: str
    capacity: int | None
    created_at: float
    updated_at: float
    sessions_after: float

    def profile_newer_than(self, other: UserState) -> bool:
        return self._profile_key() > other._profile_key()

    def password_newer_than(self, other: UserState) -> bool:
        return (self.sessions_after, self.password_hash) > (other.sessions_after,
                                                              other.password_hash)

    def _profile_key(self) -> tuple[float, str, str, int]:
        return (self.updated_at, self.name, self.role,
                -1 if self.capacity is None else self.capacity)

    def to_wire(self) -> list[Any]:
        return [self.login, self.name, self.role, self.password_hash, self.capacity,
                self.created_at, self.updated_at, self.sessions_after]

    @classmethod
    def from_wire(cls, item: Any) -> UserState:
        try:
            login, name, role, password_hash, capacity, created, updated, after = item
        except (TypeError, ValueError):
            raise AccountError(
                "account state: expected a user [login, name, role, password_hash, capacity, "
                f"created_at, updated_at, sessions_after], got {item!r:.120}"
            ) from None
        if not (isinstance(login, str) and LOGIN_PATTERN.fullmatch(login)
                and isinstance(name, str) and roles_of(role) is not None
                and isinstance(password_hash, str) and password_hash.startswith("$argon2")
                and (capacity is None or _is_int(capacity))
                and all(_is_number(x) for x in (created, updated, after))):
            raise AccountError(f"account state: a malformed user {str(item)[:120]!r}")
        return cls(login, name, str(role), password_hash, capacity, float(created),
                   float(updated), float(after))


@dataclass(frozen=True)
class AccountState:
    users: tuple[UserState, ...] = ()
    revoked: tuple[tuple[str, float], ...] = ()  # (sha256 hex of the token, its expiry)

    def to_wire(self) -> dict[str, Any]:
        return {"users": [u.to_wire() for u in self.users],
                "revoked": [[digest, exp] for digest, exp in self.revoked]}

    @classmethod
    def from_wire(cls, frame: dict[str, Any]) -> AccountState:
        users, revoked = frame.get("users"), frame.get("revoked")
        if not isinstance(users, list) or not isinstance(revoked, list):
            raise AccountError("account state: expected lists 'users' and 'revoked'")
        if len(users) > MAX_USERS or len(revoked) > MAX_REVOCATIONS:
            raise AccountError(
                f"account state: expected at most {MAX_USERS} users and {MAX_REVOCATIONS} "
                f"revocations, got {len(users)} and {len(revoked)}"
            )
        pairs = []
        for item in revoked:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and len(item[0]) == 64 and _is_number(item[1])):
                raise AccountError(f"account state: a malformed revocation {str(item)[:120]!r}")
            pairs.append((item[0], float(item[1])))
        return cls(tuple(UserState.from_wire(u) for u in users), tuple(pairs))


@dataclass
class MergeResult:
    """What a merge changed here: users taken, revocations new here, logins reset."""

    users_taken: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    logins_reset: list[str] = field(default_factory=list)

    def ended_something(self) -> bool:
        return bool(self.revoked or self.logins_reset)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
