"""Roles are a set: one account may be operator and manager; rows of before hold one role."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from frontdesk.adapters.account_state import AccountState, UserState
from frontdesk.adapters.accounts import AccountError, Accounts, PasswordHashing
from frontdesk.engine.clock import ManualClock
from frontdesk.web.cli import main


def _accounts(path: Path, clock: ManualClock, secret: str = "") -> Accounts:
    return Accounts(path, hashing=PasswordHashing.cheap(), session_ttl_s=3600, clock=clock,
                    cluster_secret=secret)


def test_an_account_holds_both_roles_and_keeps_them_in_a_session(tmp_path: Path) -> None:
    clock = ManualClock()
    with _accounts(tmp_path / "a.sqlite3", clock) as accounts:
        sam = accounts.create_user("sam", "Sam", ["manager", "operator"], "password-s")
        assert sam.roles == ("operator", "manager")  # ROLES order, whatever the order given
        assert sam.has("operator") and sam.has("manager") and sam.role == "operator"
        assert accounts.verify("sam", "password-s") == sam
        assert accounts.session_user(accounts.new_session(sam)) == sam
        assert [u.login for u in accounts.users("manager")] == ["sam"]
        assert [u.login for u in accounts.users("operator")] == ["sam"]
        maria = accounts.set_roles("sam", "manager")
        assert maria.roles == ("manager",) and maria.role == "manager"
        assert [u.login for u in accounts.users("operator")] == []


def test_a_signed_session_carries_both_roles_to_another_node(tmp_path: Path) -> None:
    clock = ManualClock()
    with _accounts(tmp_path / "a.sqlite3", clock, "S") as a, \
            _accounts(tmp_path / "b.sqlite3", clock, "S") as b:
        sam = a.create_user("sam", "Sam", "operator,manager", "password-s")
        on_b = b.session_user(a.new_session(sam))
        assert on_b is not None and on_b.roles == ("operator", "manager")


def test_roles_replicate_with_the_account_state(tmp_path: Path) -> None:
    clock = ManualClock()
    with _accounts(tmp_path / "a.sqlite3", clock) as a, \
            _accounts(tmp_path / "b.sqlite3", clock) as b:
        a.create_user("sam", "Sam", "operator", "password-s")
        b.merge_state(AccountState.from_wire(a.export_state().to_wire()))
        clock.advance(5)
        a.set_roles("sam", ["operator", "manager"])
        b.merge_state(AccountState.from_wire(a.export_state().to_wire()))
        user = b.user("sam")
        assert user is not None and user.roles == ("operator", "manager")


def test_a_row_of_before_roles_were_a_set_reads_as_a_set_of_one(tmp_path: Path) -> None:
    clock = ManualClock()
    path = tmp_path / "a.sqlite3"
    with _accounts(path, clock) as accounts:
        accounts.create_user("ann", "Ann", "operator", "password-a")
    raw = sqlite3.connect(path)
    assert [r[0] for r in raw.execute("SELECT role FROM account")] == ["operator"]
    raw.close()
    with _accounts(path, clock) as accounts:
        ann = accounts.user("ann")
        assert ann is not None and ann.roles == ("operator",)


def test_unknown_roles_are_refused_naming_what_was_expected(tmp_path: Path) -> None:
    with _accounts(tmp_path / "a.sqlite3", ManualClock()) as accounts:
        accounts.create_user("ann", "Ann", "operator", "password-a")
        for bad in ("admin", "", "operator,admin", []):
            with pytest.raises(AccountError, match=r"roles expected operator, manager or both, "
                                                   r"got "):
                accounts.create_user("cy", "Cy", bad, "password-c")
            with pytest.raises(AccountError, match=r"cannot set the roles of 'ann': roles "
                                                   r"expected operator, manager or both"):
                accounts.set_roles("ann", bad)
        with pytest.raises(AccountError, match="cannot set the roles of 'zed': no such user"):
            accounts.set_roles("zed", "manager")
        ann = accounts.user("ann")
        assert ann is not None and ann.roles == ("operator",)
    with pytest.raises(AccountError, match="a malformed user"):
        UserState.from_wire(["ann", "Ann", "operator,boss", "$argon2id$x", None, 0, 0, 0])


def test_the_user_command_gives_and_changes_roles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRONTDESK_ACCOUNTS__ARGON2_TIME_COST", "1")
    monkeypatch.setenv("FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB", "8192")
    monkeypatch.setenv("NEW_PW", "correct horse battery")
    base = ["user", "--data-dir", str(tmp_path)]
    assert main([*base, "add", "sam", "--name", "Sam", "--role", "operator", "--role", "manager",
                 "--password-env", "NEW_PW"]) == 0
    assert "created operator,manager sam (Sam)" in capsys.readouterr().out
    assert main([*base, "roles", "sam", "manager"]) == 0
    assert "roles of sam: manager" in capsys.readouterr().out
    assert main([*base, "roles", "sam", "operator,manager"]) == 0
    assert main([*base, "list"]) == 0
    assert "operator,manager sam" in capsys.readouterr().out
    assert main([*base, "roles", "sam", "boss"]) != 0
    assert "roles expected operator, manager or both, got 'boss'" in capsys.readouterr().err
