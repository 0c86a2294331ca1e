"""adapters/node_setup.py: what `frontdesk serve` opens, on a real data directory."""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.node_setup import open_node
from frontdesk.adapters.tuning import RECOMMENDED
from frontdesk.config.loader import load_settings
from frontdesk.engine.journal import NewEvent

CHEAP = {
    "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
    "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192",
}


def test_it_makes_the_data_directory_and_opens_the_journal_and_accounts_there(
    tmp_path: Path,
) -> None:
    data = tmp_path / "nested" / "data"
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(data)})
    parts = open_node(settings, environ={})
    try:
        assert parts.runtime == RECOMMENDED  # no FRONTDESK_* tuning variable set
        event = NewEvent("dialog:d-1", "message", 1, {"text": "hi"}, 1_700_000_000.0)
        assert parts.journal.append([event], epoch=1)[0].seq == 1
        assert parts.accounts.users() == []
    finally:
        parts.close()
    assert (data / "journal.sqlite3").is_file()
    assert (data / "accounts.sqlite3").is_file()


def test_demo_accounts_on_a_first_run_or_when_asked_and_not_otherwise(tmp_path: Path) -> None:
    settings = load_settings(None, {**CHEAP, "FRONTDESK_STORAGE__DATA_DIR": str(tmp_path)})
    parts = open_node(settings, environ={})
    try:
        first = parts.demo_accounts(settings, wanted=False)  # no user at all yet
        assert sorted(role for _, _, role in first) == ["manager", "operator", "operator"]
        assert parts.demo_accounts(settings, wanted=False) == []
        again = parts.demo_accounts(settings, wanted=True)  # --demo: fresh passwords
        assert [login for login, _, _ in again] == [login for login, _, _ in first]
        assert [password for _, password, _ in again] != [password for _, password, _ in first]
    finally:
        parts.close()
