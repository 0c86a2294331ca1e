"""``repl.predefined`` without the network: a primary's personal and shared answers streamed
into a backup's through a recording channel (new, changed, deleted, a shortcut moved from one
answer to another; nothing read again when nothing changed), and on the backup's side a
frame that is not an answer breaks the protocol, naming what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.predefined import AnswerDraft, PredefinedAnswers
from frontdesk.adapters.replication.predefined_link import KIND, PredefinedLink, answer_from_wire
from frontdesk.adapters.replication.protocol import ReplicationError


class Recorded:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


def an_answer(**change: object) -> dict[str, object]:
    answer = {"id": 3, "owner": None, "title": "Hours", "text": "We open at 9.",
              "shortcut": "hours", "changed_by": "maria", "changed_at": 1.5}
    return {"type": KIND, "answer": {**answer, **change}}


async def test_the_backup_holds_what_the_primary_holds(tmp_path: Path) -> None:
    with PredefinedAnswers(tmp_path / "a.sqlite3") as primary, \
            PredefinedAnswers(tmp_path / "b.sqlite3") as backup:
        backup.create(AnswerDraft("Backup's own", "x", "hours"), owner=None, by="demo")
        link, copy, channel = PredefinedLink(primary), PredefinedLink(backup), Recorded()
        woke: list[int] = []
        primary.add_listener(lambda: woke.append(primary.changes))
        hours = primary.create(AnswerDraft("Hours", "We open at {visitor.name}.", "hours"),
                               owner=None, by="maria")
        mine = primary.create(AnswerDraft("My hello", "Hi, I'm {operator.name}", "hi"),
                              owner="ann", by="ann")
        gone = primary.create(AnswerDraft("Old", "gone soon", None), owner="ann", by="ann")
        await link.flush(channel)  # type: ignore[arg-type]
        # the shortcut moves: "hours" is given up by one answer and taken by a new one
        primary.update(hours.id, AnswerDraft("Hours (old)", "We open at 9.", None),
                       owner=None, by="maria")
        primary.create(AnswerDraft("Hours", "Nine to six.", "hours"), owner=None, by="maria")
        primary.update(mine.id, AnswerDraft("My hello", "Hello!", "hello"), owner="ann", by="ann")
        primary.delete(gone.id, owner="ann")
        assert woke == [1, 2, 3, 4, 5, 6, 7]  # each change wakes the stream loop
        await link.flush(channel)  # type: ignore[arg-type]
        sent = len(channel.frames)
        await link.flush(channel)  # type: ignore[arg-type]
        assert len(channel.frames) == sent  # nothing changed: nothing sent
        for frame in channel.frames:
            await copy.received(frame)
        assert backup.every() == primary.every()
        assert [a.title for a in backup.visible_to("ann")] == ["My hello", "Hours", "Hours (old)"]
        # a new link sends everything again, and the copy stays the same
        again = Recorded()
        await link.flush(again)  # type: ignore[arg-type]
        assert [f.get("keep") for f in again.frames][-1] == [a.id for a in primary.every()]
        for frame in again.frames:
            await copy.received(frame)
        assert backup.every() == primary.every()


@pytest.mark.parametrize(("frame", "message"), [
    ({"type": KIND, "answer": "x"}, r"expected field 'answer' \(an object\) or 'keep'"),
    ({"type": KIND, "answer": {"id": 3}}, "expected an answer's fields"),
    (an_answer(id=True), "id: expected a positive whole number"),
    (an_answer(id=0), "id: expected a positive whole number"),
    (an_answer(owner=""), "owner: expected a login or null"),
    (an_answer(owner=7), "owner: expected a login or null"),
    (an_answer(title=""), "title: expected text, got nothing"),
    (an_answer(text="x" * 4001), "text: expected at most 4000 characters"),
    (an_answer(shortcut="no spaces"), "shortcut: expected 1 to 30 lower-case letters"),
    (an_answer(changed_at="soon"), "changed_by and changed_at"),
    (an_answer(changed_at=True), "changed_by and changed_at"),
])
def test_a_bad_answer_frame_breaks_the_protocol(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(ReplicationError, match=message):
        answer_from_wire(frame)


async def test_a_bad_keep_frame_breaks_the_protocol(tmp_path: Path) -> None:
    with PredefinedAnswers(tmp_path / "b.sqlite3") as backup, \
            pytest.raises(ReplicationError, match="'keep' expected a list of ids"):
        await PredefinedLink(backup).received({"type": KIND, "keep": ["1"]})


async def test_a_bad_frame_changes_nothing(tmp_path: Path) -> None:
    with PredefinedAnswers(tmp_path / "b.sqlite3") as backup:
        kept = backup.create(AnswerDraft("Hours", "9 to 6", "hours"), owner=None, by="maria")
        with pytest.raises(ReplicationError):
            await PredefinedLink(backup).received(an_answer(id=kept.id, title=7))
        assert backup.every() == [kept]


def test_only_an_sqlite_store_replicates(answers: PredefinedAnswers,
                                         request: pytest.FixtureRequest) -> None:
    """On PostgreSQL the cluster's nodes share the table: web/cluster_node.py makes no link."""
    assert answers.is_shared is (request.node.callspec.params["answers"] == "postgresql")
