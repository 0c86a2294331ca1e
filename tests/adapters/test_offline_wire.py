"""``repl.offline`` without the network: a primary's offline messages streamed into a
backup's through a recording channel (new messages, a handled mark, nothing read again when
nothing changed, the backup's own extra message deleted), and on the backup's side a frame
that is not a message breaks the protocol, naming what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.offline import OfflineDraft, OfflineMessages
from frontdesk.adapters.replication.offline_link import KIND, OfflineLink, message_from_wire
from frontdesk.adapters.replication.protocol import ReplicationError


class Recorded:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


def a_message(**change: object) -> dict[str, Any]:
    message = {"id": 4, "name": "Ada", "email": "ada@example.com", "message": "Lyon?",
               "created_at": 10.0, "handled_at": None, "handled_by": ""}
    return {"type": KIND, "message": {**message, **change}}


async def test_the_backup_holds_what_the_primary_holds(tmp_path: Path) -> None:
    with_ticks = iter(range(100, 200))
    primary = OfflineMessages(tmp_path / "a.sqlite3", now=lambda: float(next(with_ticks)))
    backup = OfflineMessages(tmp_path / "b.sqlite3")
    try:
        backup.add(OfflineDraft("Stray", "stray@example.com", "only on the backup"))
        link, copy, channel = OfflineLink(primary), OfflineLink(backup), Recorded()
        ada = primary.add(OfflineDraft("Ada", "ada@example.com", "Do you ship to Lyon?"))
        primary.add(OfflineDraft("Bo", "bo@example.com", "Open on Sunday?"))
        await link.flush(channel)  # type: ignore[arg-type]
        primary.mark_handled(ada.id, "maria")
        await link.flush(channel)  # type: ignore[arg-type]
        sent = len(channel.frames)
        await link.flush(channel)  # type: ignore[arg-type]
        assert len(channel.frames) == sent  # nothing changed: nothing sent
        for frame in channel.frames:
            await copy.received(frame)
        assert backup.every() == primary.every()
        assert [(m.name, m.handled_by) for m in backup.listed()] == [("Bo", ""), ("Ada", "maria")]
    finally:
        primary.close()
        backup.close()


@pytest.mark.parametrize(("frame", "message"), [
    ({"type": KIND, "message": "x"}, r"expected field 'message' \(an object\) or 'keep'"),
    ({"type": KIND, "message": {"id": 3}}, "expected an offline message's fields"),
    (a_message(id=0), "id: expected a positive whole number"),
    (a_message(email="not an address"), "email"),
    (a_message(created_at="soon"), "created_at: expected a number"),
    (a_message(handled_at=True), "handled_at: expected a number"),
    (a_message(handled_by=7), "handled_by: expected a login"),
])
def test_a_bad_message_frame_breaks_the_protocol(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(ReplicationError, match=message):
        message_from_wire(frame)


async def test_a_bad_keep_frame_breaks_the_protocol(tmp_path: Path) -> None:
    backup = OfflineMessages(tmp_path / "b.sqlite3")
    try:
        with pytest.raises(ReplicationError, match="'keep' expected a list of ids"):
            await OfflineLink(backup).received({"type": KIND, "keep": [True]})
    finally:
        backup.close()
