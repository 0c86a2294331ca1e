"""The accounts store's side of the exchange: its tables read as an ``AccountState``,
and another node's ``AccountState`` merged into them (rules in ``adapters.account_state``).

Given the three tables only (``Tables``), not the store: the caller
(``frontdesk.adapters.accounts.Accounts``) holds the transaction and translates database errors.
"""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.account_models import Tables, UserTable
from frontdesk.adapters.account_state import AccountState, MergeResult, UserState


def export_state(t: Tables, now: float) -> AccountState:
    users = tuple(_state_of(r) for r in t.user.select().order_by(t.user.login))
    revoked = tuple((str(r.token_hash), float(r.expires_at))
                    for r in t.ended.select().where(t.ended.expires_at > now))
    return AccountState(users, revoked)


def merge_state(t: Tables, state: AccountState, now: float) -> MergeResult:
    result = MergeResult()
    for theirs in state.users:
        row = t.user.get_or_none(t.user.login == theirs.login)
        if row is None:
            t.user.create(**_columns(theirs))
            result.users_taken.append(theirs.login)
            continue
        mine = _state_of(row)
        values: dict[str, Any] = {}
        if theirs.profile_newer_than(mine):
            values.update(name=theirs.name, role=theirs.role, capacity=theirs.capacity,
                          updated_at=theirs.updated_at)
        if theirs.password_newer_than(mine):
            values.update(password_hash=theirs.password_hash,
                          sessions_after=theirs.sessions_after)
        if theirs.sessions_after > mine.sessions_after:  # a password change there
            result.logins_reset.append(theirs.login)
            t.session.delete().where(t.session.user_id == row.id).execute()
        if values:
            result.users_taken.append(theirs.login)
            t.user.update(**values).where(t.user.id == row.id).execute()
    for digest, expires_at in state.revoked:
        if expires_at <= now or t.ended.get_or_none(t.ended.token_hash == digest) is not None:
            continue
        t.ended.insert(token_hash=digest, expires_at=expires_at).execute()
        t.session.delete().where(t.session.token_hash == digest).execute()
        result.revoked.append(digest)
    return result


def _state_of(r: UserTable) -> UserState:
    return UserState(str(r.login), str(r.name), str(r.role), str(r.password_hash), r.capacity,
                     float(r.created_at), float(r.updated_at), float(r.sessions_after))


def _columns(user: UserState) -> dict[str, Any]:
    return {"login": user.login, "name": user.name, "role": user.role,
            "password_hash": user.password_hash, "capacity": user.capacity,
            "created_at": user.created_at, "updated_at": user.updated_at,
            "sessions_after": user.sessions_after}
