"""A row's id is never given twice, across a failover too (the tables that replicate as rows).

CI found it (``tests/failover/test_predefined_failover.py``: a new answer on the promoted
backup got id 3, the id of one the primary had deleted). On SQLite the tables count ids
with ``AUTOINCREMENT``, so the primary never reuses one; the backup's count only follows
the rows it was sent, and a row made and deleted between two flushes of the link is never
sent. A console that still shows the deleted row would then change a stranger's. The
link's ``keep`` frame now carries the primary's last id, and the backup raises its count
to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.knowledge import ArticleDraft, KnowledgeBase
from frontdesk.adapters.predefined import AnswerDraft, PredefinedAnswers
from frontdesk.adapters.replication.knowledge_link import KnowledgeLink
from frontdesk.adapters.replication.predefined_link import PredefinedLink
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.row_link import RowLink
from frontdesk.adapters.replication.survey_link import SurveyLink
from frontdesk.adapters.surveys import Question, SurveyDraft, SurveyTemplates


class Recorded:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


@dataclass
class Table:
    """One replicated table: how to open it, make a row (its id) and delete one."""

    open: Callable[[Path], Any]
    link: Callable[[Any], RowLink[Any]]
    make: Callable[[Any, int], int]
    delete: Callable[[Any, int], object]


TABLES = {
    "predefined": Table(
        PredefinedAnswers, PredefinedLink,
        lambda s, n: s.create(AnswerDraft(f"Answer {n}", "text", None), owner=None, by="m").id,
        lambda s, i: s.delete(i, owner=None)),
    "knowledge": Table(
        KnowledgeBase, KnowledgeLink,
        lambda s, n: s.create(ArticleDraft(f"Article {n}", ("q?",), "a"), by="m").id,
        lambda s, i: s.delete(i)),
    "surveys": Table(
        SurveyTemplates, SurveyLink,
        lambda s, n: s.create(SurveyDraft(f"Survey {n}", (Question("rating", "How?", True),)),
                              by="m").id,
        lambda s, i: s.delete(i)),
}


@pytest.fixture(params=sorted(TABLES))
def table(request: pytest.FixtureRequest) -> Table:
    return TABLES[request.param]


@pytest.fixture
def stores(table: Table, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    with ExitStack() as stack:
        primary = stack.enter_context(table.open(tmp_path / "a.sqlite3"))
        backup = stack.enter_context(table.open(tmp_path / "b.sqlite3"))
        yield primary, backup


async def test_a_row_made_and_deleted_between_flushes_keeps_its_id_spent(
    table: Table, stores: tuple[Any, Any]
) -> None:
    primary, backup = stores
    link, copy, channel = table.link(primary), table.link(backup), Recorded()
    first, second = table.make(primary, 1), table.make(primary, 2)
    await link.flush(channel)  # type: ignore[arg-type]
    short_lived = table.make(primary, 3)
    table.delete(primary, short_lived)  # the set of rows is the same as at the last flush
    await link.flush(channel)  # type: ignore[arg-type]
    for frame in channel.frames:
        await copy.received(frame)
    assert short_lived > second > first
    made_on_the_promoted_backup = table.make(backup, 4)
    assert made_on_the_promoted_backup > short_lived
    assert table.make(primary, 5) > short_lived  # the primary's own count, for comparison


async def test_the_last_id_crosses_once_per_change(table: Table, stores: tuple[Any, Any]) -> None:
    primary, _ = stores
    link, channel = table.link(primary), Recorded()
    table.make(primary, 1)
    await link.flush(channel)  # type: ignore[arg-type]
    await link.flush(channel)  # type: ignore[arg-type]
    keeps = [f for f in channel.frames if "keep" in f]
    assert len(keeps) == 1 and keeps[0]["last_id"] == 1


async def test_a_backup_never_lowers_its_count(table: Table, stores: tuple[Any, Any]) -> None:
    _, backup = stores
    for n in range(3):
        table.make(backup, n)
    copy = table.link(backup)
    await copy.received({"type": copy.kind, "keep": [], "last_id": 1})
    assert table.make(backup, 9) == 4


@pytest.mark.parametrize("last_id", [-1, "7", True, 1.5, 2**63])
async def test_a_bad_last_id_breaks_the_protocol(
    table: Table, stores: tuple[Any, Any], last_id: object
) -> None:
    _, backup = stores
    copy = table.link(backup)
    with pytest.raises(ReplicationError, match=r"last_id.*expected"):
        await copy.received({"type": copy.kind, "keep": [], "last_id": last_id})
