"""``repl.knowledge`` without the network: a primary's base streamed into a backup's through
a recording channel (new, changed and deleted articles; nothing read again when nothing
changed), and on the backup's side a frame that is not an article breaks the protocol,
naming what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.knowledge import ArticleDraft, KnowledgeBase
from frontdesk.adapters.replication.knowledge_link import KIND, KnowledgeLink, article_from_wire
from frontdesk.adapters.replication.protocol import ReplicationError


class Recorded:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


def an_article(**change: object) -> dict[str, object]:
    article = {"id": 3, "title": "Hours", "questions": ["When are you open?"],
               "answer": "**9-5**", "tags": ["shop"], "enabled": True, "changed_by": "maria",
               "changed_at": 1.5}
    return {"type": KIND, "article": {**article, **change}}


async def test_the_backup_holds_what_the_primary_holds(tmp_path: Path) -> None:
    with KnowledgeBase(tmp_path / "a.sqlite3") as primary, \
            KnowledgeBase(tmp_path / "b.sqlite3") as backup:
        backup.create(ArticleDraft("Backup's own", ("q?",), "a"), by="demo")
        link, copy, channel = KnowledgeLink(primary), KnowledgeLink(backup), Recorded()
        bell = primary.create(ArticleDraft("Bell repair", ("My bell is broken",), "Yes."),
                              by="maria")
        horn = primary.create(ArticleDraft("Horns", ("Horns?",), "No."), by="maria")
        await link.flush(channel)  # type: ignore[arg-type]
        primary.update(bell.id, ArticleDraft("Bell fixes", ("My bell is broken",), "Yes!"),
                       by="ann")
        primary.delete(horn.id)
        await link.flush(channel)  # type: ignore[arg-type]
        sent = len(channel.frames)
        await link.flush(channel)  # type: ignore[arg-type]
        assert len(channel.frames) == sent  # nothing changed: nothing sent
        for frame in channel.frames:
            await copy.received(frame)
        assert backup.articles() == primary.articles()
        assert [h.article.title for h in backup.search("bell broken")] == ["Bell fixes"]


@pytest.mark.parametrize(("frame", "message"), [
    ({"type": KIND, "article": "x"}, r"expected field 'article' \(an object\) or 'keep'"),
    ({"type": KIND, "article": {"id": 3}}, "expected an article's fields"),
    (an_article(id=True), "id: expected a positive whole number"),
    (an_article(questions=[]), "questions: expected at least one question"),
    (an_article(changed_at="soon"), "changed_by and changed_at"),
])
def test_a_bad_article_frame_breaks_the_protocol(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(ReplicationError, match=message):
        article_from_wire(frame)


async def test_a_bad_keep_frame_breaks_the_protocol(tmp_path: Path) -> None:
    with KnowledgeBase(tmp_path / "b.sqlite3") as backup, \
            pytest.raises(ReplicationError, match="'keep' expected a list of ids"):
        await KnowledgeLink(backup).received({"type": KIND, "keep": ["1"]})
