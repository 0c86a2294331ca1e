"""``repl.survey`` without the network: a primary's survey templates streamed into a
backup's through a recording channel (new, changed, a title moved from one template to
another, deleted; nothing read again when nothing changed), and a frame that is not a
template breaks the protocol, naming what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.survey_link import KIND, SurveyLink, survey_from_wire
from frontdesk.adapters.surveys import Question, SurveyDraft, SurveyTemplates

RATE = (Question("rating", "How did we do?", True),)


class Recorded:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


async def test_the_backup_holds_what_the_primary_holds(tmp_path: Path) -> None:
    with SurveyTemplates(tmp_path / "a.sqlite3") as primary, \
            SurveyTemplates(tmp_path / "b.sqlite3") as backup:
        backup.create(SurveyDraft("Backup's own", RATE), by="demo")
        link, copy, channel = SurveyLink(primary), SurveyLink(backup), Recorded()
        first = primary.create(SurveyDraft("Satisfaction", RATE), by="maria")
        second = primary.create(SurveyDraft("Delivery", RATE), by="maria")
        gone = primary.create(SurveyDraft("Old", RATE), by="maria")
        await link.flush(channel)  # type: ignore[arg-type]
        # the title moves: "Satisfaction" becomes "Service", "Delivery" takes "Satisfaction"
        primary.update(first.id, SurveyDraft("Service", RATE), by="ann")
        primary.update(second.id, SurveyDraft("Satisfaction", RATE), by="ann")
        primary.delete(gone.id)
        await link.flush(channel)  # type: ignore[arg-type]
        sent = len(channel.frames)
        await link.flush(channel)  # type: ignore[arg-type]
        assert len(channel.frames) == sent  # nothing changed: nothing sent
        for frame in channel.frames:
            await copy.received(frame)
        assert backup.templates() == primary.templates()


@pytest.mark.parametrize(("frame", "message"), [
    ({"type": KIND, "survey": []}, r"expected field 'survey' \(an object\) or 'keep'"),
    ({"type": KIND, "survey": {"id": 3}}, "expected a survey template's fields"),
    ({"type": KIND, "survey": {"id": 3, "title": "T", "questions": [], "changed_by": "m",
                               "changed_at": 1.0}}, "questions: expected 1 to"),
    ({"type": KIND, "survey": {"id": 3, "title": "T", "changed_by": "m", "changed_at": "x",
                               "questions": [{"kind": "rating", "text": "Q"}]}},
     "changed_by and changed_at"),
])
def test_a_bad_survey_frame_breaks_the_protocol(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(ReplicationError, match=message):
        survey_from_wire(frame)
