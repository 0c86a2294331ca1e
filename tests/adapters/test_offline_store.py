"""adapters/offline: the offline messages' table on SQLite and on PostgreSQL (the scratch
server of tests/adapters/conftest.py): stored checked, listed unhandled first, marked once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.offline import OfflineDraft, OfflineError, OfflineMessages
from tests.adapters.test_storage_journal import postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OfflineMessages]:
    ticks = iter(range(1000, 2000))
    url = tmp_path / "accounts.sqlite3" if request.param == "sqlite" else postgres_url()
    made = OfflineMessages(url, now=lambda: float(next(ticks)))
    if request.param == "postgresql":
        made._db.execute_sql("DELETE FROM offline_messages")  # the scratch database is shared
    try:
        yield made
    finally:
        made.close()


def test_stored_listed_and_marked_handled_once(store: OfflineMessages) -> None:
    first = store.add(OfflineDraft(" Ada ", "ada@example.com", "Do you ship to Lyon?"))
    second = store.add(OfflineDraft("Bo", "bo@example.com", "Open on Sunday?"))
    assert (first.name, first.created_at, first.handled_at) == ("Ada", 1000.0, None)
    assert [m.id for m in store.listed()] == [second.id, first.id]  # newest first
    marked = store.mark_handled(second.id, "maria")
    assert marked is not None and marked.handled_by == "maria"
    again = store.mark_handled(second.id, "sam")
    assert again is not None and (again.handled_by, again.handled_at) == (
        "maria", marked.handled_at)  # the first mark stays
    assert [m.id for m in store.listed()] == [first.id, second.id]  # unhandled first
    assert store.mark_handled(999_999, "maria") is None
    assert store.get(first.id) == first


def test_a_bad_draft_is_refused_before_the_database(store: OfflineMessages) -> None:
    with pytest.raises(OfflineError, match="email: expected an e-mail address") as refused:
        store.add(OfflineDraft("Ada", "nope", "hi"))
    assert refused.value.field == "email"
    assert store.listed() == []
