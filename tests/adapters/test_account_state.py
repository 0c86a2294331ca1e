"""Two accounts stores converge by exchanging their state (frontdesk.adapters.account_state)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from frontdesk.adapters.account_models import AccountError
from frontdesk.adapters.account_state import AccountState
from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.session_tokens import token_digest
from frontdesk.engine.clock import ManualClock

SECRET = "the cluster secret"


def store(path: Path, clock: ManualClock) -> Accounts:
    return Accounts(path, hashing=PasswordHashing.cheap(), clock=clock, cluster_secret=SECRET)


def exchange(a: Accounts, b: Accounts) -> None:
    b.merge_state(a.export_state())
    a.merge_state(b.export_state())


def test_users_revocations_and_password_changes_converge(tmp_path: Path) -> None:
    clock = ManualClock()
    a, b = store(tmp_path / "a.sqlite3", clock), store(tmp_path / "b.sqlite3", clock)
    a.create_user("carol", "Carol", "operator", "first password")
    b.create_user("dan", "Dan", "manager", "dan's password")
    exchange(a, b)
    assert b.verify("carol", "first password") is not None
    assert a.verify("dan", "dan's password") is not None

    # a session opened on a, logged out on b: revoked on a after the exchange
    token = a.new_session(a.verify("carol", "first password"))  # type: ignore[arg-type]
    assert b.session_user(token) is not None
    assert b.end_session(token)
    result = a.merge_state(b.export_state())
    assert result.revoked == [token_digest(token)]
    assert a.session_user(token) is None

    # a password change on b: newer, it wins on a, and a's earlier sessions are over
    token = a.new_session(a.verify("carol", "first password"))  # type: ignore[arg-type]
    clock.advance(5)
    b.set_password("carol", "second password")
    result = a.merge_state(b.export_state())
    assert result.logins_reset == ["carol"]
    assert a.verify("carol", "first password") is None
    assert a.verify("carol", "second password") is not None
    assert a.session_user(token) is None

    # merging again changes nothing, and both ends hold the same state
    assert not a.merge_state(b.export_state()).ended_something()
    exchange(a, b)
    assert a.export_state() == b.export_state()


def test_the_older_copy_of_a_user_loses_whichever_way_it_comes(tmp_path: Path) -> None:
    clock = ManualClock()
    a, b = store(tmp_path / "a.sqlite3", clock), store(tmp_path / "b.sqlite3", clock)
    a.create_user("carol", "Carol", "operator", "first password")
    exchange(a, b)
    clock.advance(1)
    a.set_password("carol", "newer on a")
    stale = b.export_state()
    a.merge_state(stale)  # b's older copy does not undo a's change
    assert a.verify("carol", "newer on a") is not None
    b.merge_state(a.export_state())
    assert b.verify("carol", "newer on a") is not None


def test_a_malformed_state_is_refused_naming_what_was_expected() -> None:
    with pytest.raises(AccountError, match="expected lists 'users' and 'revoked'"):
        AccountState.from_wire({"users": {}})
    with pytest.raises(AccountError, match="malformed user"):
        AccountState.from_wire({"users": [["Bad Login", "x", "operator", "$argon2id$", None,
                                           0, 0, 0]], "revoked": []})
    with pytest.raises(AccountError, match="malformed revocation"):
        AccountState.from_wire({"users": [], "revoked": [["short", 1.0]]})


def test_demo_passwords_derive_from_the_cluster_secret(tmp_path: Path) -> None:
    clock = ManualClock()
    a, b = store(tmp_path / "a.sqlite3", clock), store(tmp_path / "b.sqlite3", clock)
    assert a.ensure_demo_users() == b.ensure_demo_users()
    token = a.new_session(a.users()[0])
    a.ensure_demo_users()  # a restart with --demo keeps the sessions of unchanged passwords
    assert a.session_user(token) is not None


def test_a_fresh_nodes_demo_users_never_overwrite_real_ones(tmp_path: Path) -> None:
    clock = ManualClock()
    primary, fresh = store(tmp_path / "a.sqlite3", clock), store(tmp_path / "b.sqlite3", clock)
    primary.create_user("maria", "Maria", "manager", "the real password")
    clock.advance(60)
    fresh.ensure_demo_users()  # a first run with no user at all, a minute later
    exchange(primary, fresh)
    for accounts in (primary, fresh):
        assert accounts.verify("maria", "the real password") is not None
        assert accounts.user("ann") is not None  # the demo operators join the cluster


def test_an_older_database_gains_the_replication_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, login TEXT UNIQUE, name TEXT,"
                   " role TEXT, password_hash TEXT, capacity INTEGER, created_at REAL)")
    accounts = store(path, ManualClock())
    accounts.create_user("carol", "Carol", "operator", "a password")
    assert [u.login for u in accounts.export_state().users] == ["carol"]
    accounts.close()


def test_a_password_change_there_ends_sessions_here_even_when_our_copy_is_newer(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    a, b = store(tmp_path / "a.sqlite3", clock), store(tmp_path / "b.sqlite3", clock)
    a.create_user("carol", "Carol", "operator", "first password")
    exchange(a, b)
    token = a.new_session(a.verify("carol", "first password"))  # type: ignore[arg-type]
    clock.advance(1)
    b.set_password("carol", "second password")
    clock.advance(1)
    a.set_capacity("carol", 2)  # a's copy is now the newer one
    result = a.merge_state(b.export_state())
    assert result.logins_reset == ["carol"]
    assert a.session_user(token) is None  # the signed token predates b's password change
    exchange(a, b)
    assert a.export_state() == b.export_state()
    exchange(a, b)
    assert a.export_state() == b.export_state()
    for accounts in (a, b):  # neither change undid the other
        assert accounts.verify("carol", "second password") is not None
        assert accounts.users()[0].capacity == 2
