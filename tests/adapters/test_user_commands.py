"""``frontdesk user``: accounts made from the shell can log in; bad input is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.web.cli import main


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_ACCOUNTS__ARGON2_TIME_COST", "1")
    monkeypatch.setenv("FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB", "8192")


def test_an_added_operator_can_log_in_with_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEW_PW", "correct horse battery")
    code = main(
        [
            "user",
            "--data-dir",
            str(tmp_path),
            "add",
            "zoe",
            "--name",
            "Zoe",
            "--capacity",
            "5",
            "--password-env",
            "NEW_PW",
        ]
    )
    assert code == 0
    assert "created operator zoe (Zoe)" in capsys.readouterr().out

    assert main(["user", "--data-dir", str(tmp_path), "list"]) == 0
    listing = capsys.readouterr().out
    assert "operator" in listing and "zoe" in listing and "capacity 5" in listing

    with Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap()) as accounts:
        user = accounts.verify("zoe", "correct horse battery")
        assert user is not None and user.role == "operator" and user.capacity == 5
        assert accounts.verify("zoe", "wrong") is None


def test_a_taken_login_is_refused_and_names_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEW_PW", "correct horse battery")
    args = [
        "user",
        "--data-dir",
        str(tmp_path),
        "add",
        "zoe",
        "--name",
        "Zoe",
        "--password-env",
        "NEW_PW",
    ]
    assert main(args) == 0
    assert main(args) == 2
    assert "zoe" in capsys.readouterr().err


def test_a_missing_password_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"\$NOT_SET_ANYWHERE is not set"):
        main(
            [
                "user",
                "--data-dir",
                str(tmp_path),
                "add",
                "zoe",
                "--name",
                "Zoe",
                "--password-env",
                "NOT_SET_ANYWHERE",
            ]
        )
