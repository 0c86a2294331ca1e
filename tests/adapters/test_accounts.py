"""Accounts on a real SQLite file: users, argon2 passwords, sessions with expiry."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import argon2
import pytest

from frontdesk.adapters.accounts import AccountError, Accounts, PasswordHashing, User
from frontdesk.adapters.storage import SqlJournal, parse_database_url
from frontdesk.adapters.storage.database import execute_sql, open_database
from frontdesk.config.loader import load_settings
from frontdesk.engine.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(tmp_path: Path, clock: ManualClock) -> Iterator[Accounts]:
    with Accounts(
        tmp_path / "data" / "accounts.sqlite3",
        hashing=PasswordHashing.cheap(),
        session_ttl_s=3600,
        clock=clock,
    ) as acc:
        yield acc


def test_a_user_logs_in_with_the_right_password_only(accounts: Accounts) -> None:
    ann = accounts.create_user("Ann", "Ann Smith", "operator", "correct horse")
    assert ann == User(ann.id, "ann", "Ann Smith", ("operator",), None)
    assert accounts.verify("ann", "correct horse") == ann
    assert accounts.verify(" ANN ", "correct horse") == ann  # logins ignore case and spaces
    assert accounts.verify("ann", "correct horsE") is None
    assert accounts.verify("nobody", "correct horse") is None
    assert accounts.user("ann") == ann
    assert accounts.user("nobody") is None


def test_only_the_argon2_hash_is_stored(tmp_path: Path, accounts: Accounts) -> None:
    accounts.create_user("ann", "Ann", "operator", "correct horse")
    raw = sqlite3.connect(tmp_path / "data" / "accounts.sqlite3")
    (stored,) = raw.execute("SELECT password_hash FROM account").fetchone()
    raw.close()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored


def test_users_are_listed_by_role(accounts: Accounts) -> None:
    accounts.create_user("bob", "Bob", "operator", "password-b", capacity=5)
    accounts.create_user("ann", "Ann", "operator", "password-a")
    accounts.create_user("maria", "Maria", "manager", "password-m")
    assert [u.login for u in accounts.users()] == ["ann", "bob", "maria"]
    assert [u.login for u in accounts.users("operator")] == ["ann", "bob"]
    assert [u.login for u in accounts.users("manager")] == ["maria"]
    assert accounts.users("operator")[1].capacity == 5
    accounts.set_capacity("bob", None)
    assert accounts.user("bob") == User(accounts.users()[1].id, "bob", "Bob", ("operator",), None)


def test_bad_accounts_are_refused_with_the_reason(accounts: Accounts) -> None:
    accounts.create_user("ann", "Ann", "operator", "password-a")
    cases: list[tuple[tuple[str, str, str, str], str]] = [
        (
            ("ann", "Ann 2", "operator", "password-a"),
            "cannot create user 'ann': the login is taken",
        ),
        (("", "X", "operator", "password-x"), "login: expected 1-64 characters"),
        (("a b", "X", "operator", "password-x"), "got 'a b'"),
        (("cy", "Cy", "admin", "password-x"),
         "roles expected operator, manager or both, got 'admin'"),
        (("cy", " ", "operator", "password-x"), "expected a display name"),
        (("cy", "Cy", "operator", "short"), "expected at least 8 characters, got 5"),
    ]
    for (login, name, role, password), message in cases:
        with pytest.raises(AccountError, match=message):
            accounts.create_user(login, name, role, password)  # type: ignore[arg-type]
    with pytest.raises(AccountError, match=r"capacity of 'cy': expected .* >= 0 or none, got -1"):
        accounts.create_user("cy", "Cy", "operator", "password-x", capacity=-1)
    with pytest.raises(AccountError, match="no such user"):
        accounts.set_password("nobody", "password-x")
    assert [u.login for u in accounts.users()] == ["ann"]


def test_a_session_token_names_its_user_until_it_ends_or_expires(
    tmp_path: Path, accounts: Accounts, clock: ManualClock
) -> None:
    ann = accounts.create_user("ann", "Ann", "operator", "password-a")
    token = accounts.new_session(ann)
    assert len(token) >= 43  # 32 random bytes, url-safe
    assert accounts.session_user(token) == ann
    assert accounts.session_user(token + "x") is None
    assert accounts.session_user("") is None
    raw = sqlite3.connect(tmp_path / "data" / "accounts.sqlite3")
    stored = [row[0] for row in raw.execute("SELECT token_hash FROM account_session")]
    raw.close()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # the token itself is not kept
    clock.advance(3599)
    assert accounts.session_user(token) == ann
    clock.advance(1)
    assert accounts.session_user(token) is None  # expired
    second = accounts.new_session(ann)
    assert second != token
    assert accounts.end_session(second) is True
    assert accounts.end_session(second) is False
    assert accounts.session_user(second) is None


def test_expired_sessions_are_purged(accounts: Accounts, clock: ManualClock) -> None:
    ann = accounts.create_user("ann", "Ann", "operator", "password-a")
    old = accounts.new_session(ann)
    clock.advance(1800)
    fresh = accounts.new_session(ann)
    clock.advance(1800)
    assert accounts.purge_expired_sessions() == 1
    assert accounts.session_user(old) is None
    assert accounts.session_user(fresh) == ann


def test_demo_users_get_working_passwords_every_time(accounts: Accounts) -> None:
    first = accounts.ensure_demo_users()
    assert [(login, role) for login, _, role in first] == [
        ("ann", "operator"),
        ("bob", "operator"),
        ("maria", "manager"),
    ]
    assert len({password for _, password, _ in first}) == 3
    for login, password, role in first:
        user = accounts.verify(login, password)
        assert user is not None and user.role == role
    again = accounts.ensure_demo_users({"maria": "manager-secret"})
    assert again[2] == ("maria", "manager-secret", "manager")
    assert accounts.verify("maria", "manager-secret") is not None
    assert accounts.verify("ann", first[0][1]) is None  # reset: the printed one works
    assert accounts.verify("ann", again[0][1]) is not None
    assert len(accounts.users()) == 3
    with pytest.raises(AccountError, match=r"unknown demo users \['zed'\]"):
        accounts.ensure_demo_users({"zed": "whatever-1"})


def test_a_weaker_old_hash_is_upgraded_at_login(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite3"
    with Accounts(path, hashing=PasswordHashing.cheap()) as weak:
        weak.create_user("ann", "Ann", "operator", "password-a")
    stronger = PasswordHashing(time_cost=2, memory_cost_kib=16384, parallelism=1)
    with Accounts(path, hashing=stronger) as strong:
        assert strong.verify("ann", "password-a") is not None
    raw = sqlite3.connect(path)
    (stored,) = raw.execute("SELECT password_hash FROM account").fetchone()
    raw.close()
    params = argon2.extract_parameters(stored)
    assert (params.time_cost, params.memory_cost) == (2, 16384)


def test_a_broken_database_is_an_account_error(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite3"
    path.write_bytes(b"not a database" * 200)
    with pytest.raises(AccountError, match=r"open the accounts database failed on .*accounts"):
        Accounts(path, hashing=PasswordHashing.cheap())


def test_the_same_accounts_work_on_postgresql(clock: ManualClock) -> None:
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL", "")
    if not url or importlib.util.find_spec("psycopg2") is None:
        pytest.skip(
            "PostgreSQL path not exercised: set FRONTDESK_TEST_POSTGRES_URL to an empty scratch "
            "database (postgresql://user:password@127.0.0.1:5432/dbname) and install the "
            "'postgres' extra to run it"
        )
    db = open_database(parse_database_url(url))
    execute_sql(db, "DROP TABLE IF EXISTS account, account_session")
    db.close()
    with Accounts(url, hashing=PasswordHashing.cheap(), session_ttl_s=60, clock=clock) as acc:
        ann = acc.create_user("ann", "Ann", "operator", "password-a", capacity=2)
        assert acc.verify("ann", "password-a") == ann
        assert acc.verify("ann", "password-b") is None
        token = acc.new_session(ann)
        assert acc.session_user(token) == ann
        clock.advance(60)
        assert acc.session_user(token) is None
        with pytest.raises(AccountError, match="the login is taken"):
            acc.create_user("ann", "Ann", "operator", "password-a")
        assert [u.login for u in acc.users("operator")] == ["ann"]
    execute_sql(db, "DROP TABLE IF EXISTS account, account_session")
    db.close()


def test_accounts_and_journal_open_from_settings(tmp_path: Path) -> None:
    settings = load_settings(
        None,
        {
            "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path / "data"),
            "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
            "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
            "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
        },
    )
    with Accounts.from_settings(settings) as acc, SqlJournal.from_settings(settings.storage) as j:
        acc.create_user("ann", "Ann", "operator", "password-a")
        assert j.last() == (0, 0)
    assert (tmp_path / "data" / "accounts.sqlite3").is_file()
    assert (tmp_path / "data" / "journal.sqlite3").is_file()
    raw = sqlite3.connect(tmp_path / "data" / "accounts.sqlite3")
    (stored,) = raw.execute("SELECT password_hash FROM account").fetchone()
    raw.close()
    assert argon2.extract_parameters(stored).time_cost == 1


# -- signed sessions (a cluster secret): valid on every node holding the secret --------


def _node(path: Path, clock: ManualClock, secret: str) -> Accounts:
    return Accounts(path, hashing=PasswordHashing.cheap(), session_ttl_s=3600, clock=clock,
                    cluster_secret=secret)


def test_a_signed_session_is_accepted_by_another_node_with_the_same_secret(
    tmp_path: Path, clock: ManualClock
) -> None:
    with _node(tmp_path / "a.sqlite3", clock, "S") as a, \
            _node(tmp_path / "b.sqlite3", clock, "S") as b:
        ann = a.create_user("ann", "Ann", "operator", "password-a", capacity=3)
        token = a.new_session(ann)
        assert a.session_user(token) == ann
        # b has no row for ann and never saw the session: the token carries the user
        assert b.users() == []
        assert b.session_user(token) == User(0, "ann", "Ann", ("operator",), 3)
        raw = sqlite3.connect(tmp_path / "b.sqlite3")
        stored = [row[0] for row in raw.execute("SELECT token_hash FROM account_session")]
        raw.close()
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # b recorded it
        # once b holds a row for that login, its current name, role and capacity win
        b_ann = b.create_user("ann", "Ann on b", "manager", "password-b", capacity=None)
        assert b.session_user(token) == b_ann
        clock.advance(3599)
        assert b.session_user(token) == b_ann
        clock.advance(1)
        assert a.session_user(token) is None and b.session_user(token) is None  # expired
        assert b.end_session(token) is False


def test_a_signed_session_is_refused_with_another_secret_or_tampered_with(
    tmp_path: Path, clock: ManualClock
) -> None:
    with _node(tmp_path / "a.sqlite3", clock, "S") as a, \
            _node(tmp_path / "c.sqlite3", clock, "other") as c, \
            Accounts(tmp_path / "d.sqlite3", hashing=PasswordHashing.cheap(), clock=clock) as d:
        ann = a.create_user("ann", "Ann", "operator", "password-a")
        token = a.new_session(ann)
        assert c.session_user(token) is None  # another secret
        assert d.session_user(token) is None  # no secret: only its own session table counts
        body, mac = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        forged = dict(claims, role="manager", exp=claims["exp"] + 10**6)
        forged_body = base64.urlsafe_b64encode(
            json.dumps(forged).encode()).rstrip(b"=").decode()
        for bad in (f"{forged_body}.{mac}", f"{body}.{mac[:-2]}AA", f"{body}.", f".{mac}",
                    f"{body}x.{mac}", token + "." + mac):
            assert a.session_user(bad) is None, bad
        assert a.session_user(token) == ann  # the real one still works


def test_a_logout_ends_a_signed_session_on_that_node_only(
    tmp_path: Path, clock: ManualClock
) -> None:
    with _node(tmp_path / "a.sqlite3", clock, "S") as a, \
            _node(tmp_path / "b.sqlite3", clock, "S") as b:
        ann = a.create_user("ann", "Ann", "operator", "password-a")
        token = a.new_session(ann)
        assert b.session_user(token) is not None
        assert b.end_session(token) is True
        assert b.end_session(token) is False
        assert b.session_user(token) is None  # b refuses it though the signature is good
        assert a.session_user(token) == ann  # a does not know (documented) ...
        assert a.end_session(token) is True  # ... until the logout reaches it too
        assert a.session_user(token) is None
        other = a.new_session(ann)  # a new login works at once
        assert other != token and a.session_user(other) == ann
        clock.advance(3600)
        assert b.purge_expired_sessions() == 0  # b's own row went at its logout
        assert a.purge_expired_sessions() == 1  # ``other``
        raw = sqlite3.connect(tmp_path / "b.sqlite3")
        assert raw.execute("SELECT count(*) FROM account_session_ended").fetchone() == (0,)
        raw.close()


def test_the_cluster_secret_of_the_settings_signs_sessions(tmp_path: Path) -> None:
    env = {"FRONTDESK_STORAGE__DATA_DIR": str(tmp_path / "data"),
           "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
           "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
           "FRONTDESK_ACCOUNTS__ARGON2_PARALLELISM": "1",
           "FRONTDESK_CLUSTER__SECRET": "S"}
    with Accounts.from_settings(load_settings(None, env)) as acc, \
            _node(tmp_path / "b.sqlite3", ManualClock(), "S") as b:
        ann = acc.create_user("ann", "Ann", "operator", "password-a")
        token = acc.new_session(ann)
        assert "." in token and acc.session_user(token) == ann
        b_user = b.session_user(token)  # b's manual clock reads 0: long before exp
        assert b_user is not None and b_user.login == "ann"
