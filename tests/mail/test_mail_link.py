"""``repl.mail`` (adapters/replication/mail_link.py): the primary's outbox rows reach the
backup's outbox as they are (inserted, retried, sent, reported), applying a frame twice
changes nothing, a bad or tampered frame breaks the protocol naming what was expected, and
a promoted backup's worker reports and sends what the old primary left (real SQLite files,
a real SMTP server)."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from frontdesk.adapters.mail import MailOutcome, MailWorker, Outbox, RetryPolicy, SmtpTransport
from frontdesk.adapters.mail import outbox as outbox_module
from frontdesk.adapters.mail.message import build_message
from frontdesk.adapters.mail.outbox import QueuedMail
from frontdesk.adapters.replication.mail_link import KIND, MailLink, mail_frame, mail_from_wire
from frontdesk.adapters.replication.protocol import ReplicationError
from tests.mail.smtp_server import SmtpServer

FROM = "desk@example.com"


class Recorded:
    """The primary's end of a link, keeping what was sent (the link's frames are JSON)."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)

    async def receive(self, *expected: str) -> dict[str, Any]:
        raise AssertionError("the mail link only sends")

    async def close(self, code: int = 1001, reason: str = "") -> None:
        pass


def queue(outbox: Outbox, to: str = "vera@example.com", now: float = 1.0) -> int:
    message = build_message(to=to, from_address=FROM, reply_to="team@example.com",
                            subject="Transcript", text="Hello", html="<p>Hello</p>")
    return outbox.enqueue("transcript", "d-1", message, sender=FROM, now=now).id


@pytest.fixture
def outboxes(tmp_path: Path) -> Any:
    primary, backup = Outbox(tmp_path / "a.sqlite3"), Outbox(tmp_path / "b.sqlite3")
    yield primary, backup
    primary.close()
    backup.close()


async def test_rows_and_their_changes_reach_the_backup(outboxes: tuple[Outbox, Outbox]
                                                        ) -> None:
    primary, backup = outboxes
    told: list[int] = []
    primary.add_listener(lambda: told.append(primary.changes))  # the stream loop's wake
    first, second = queue(primary), queue(primary, "boss@example.com")
    assert told == [1, 2]
    sending, taking = MailLink(primary), MailLink(backup)
    channel = Recorded()
    await sending.flush(channel)  # a new link: the whole outbox
    assert [f["mail"]["id"] for f in channel.frames] == [first, second]
    for frame in channel.frames:
        await taking.received(frame)
    assert backup.get(first) == primary.get(first)
    channel.frames.clear()
    await sending.flush(channel)
    assert channel.frames == []  # nothing changed: nothing sent
    primary.retry_at(first, 99.0, "cannot reach 127.0.0.1")
    primary.finish(second, "sent", 5.0)
    primary.mark_reported(second)
    third = queue(primary, "ann@example.com")
    assert told == [1, 2, 3, 4, 5, 6]
    await sending.flush(channel)
    assert [f["mail"]["id"] for f in channel.frames] == [first, second, third]
    for frame in channel.frames * 2:  # applied twice: the same rows
        await taking.received(frame)
    for mail_id in (first, second, third):
        assert backup.get(mail_id) == primary.get(mail_id)
    got = backup.get(first)
    assert got is not None and (got.status, got.attempts, got.next_at) == ("queued", 1, 99.0)
    assert backup.unreported() == [] and [m.id for m in backup.due(100.0)] == [third, first]
    assert queue(backup) == third + 1  # a promoted backup numbers on after the primary


def tampered(**changes: Any) -> dict[str, Any]:
    message = b"Message-ID: <1@example.com>\r\nTo: vera@example.com\r\n\r\nHello\r\n"
    mail = QueuedMail(7, "transcript", "d-1", "vera@example.com", FROM, message, "queued", 0,
                      1.0, "", 1.0, None)
    frame = mail_frame(mail)
    frame["mail"].update(changes)
    return frame


async def test_the_changes_remembered_are_bounded_and_a_link_too_far_behind_reads_all(
    outboxes: tuple[Outbox, Outbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "TOUCHED_KEPT", 3)
    primary, _ = outboxes
    ids = [queue(primary, f"v{i}@example.com") for i in range(5)]
    assert len(primary._touched) == 3  # not one entry per mail ever changed
    sending, channel = MailLink(primary), Recorded()
    await sending.flush(channel)
    assert [f["mail"]["id"] for f in channel.frames] == ids
    channel.frames.clear()
    primary.finish(ids[0], "sent", 5.0)
    primary.finish(ids[4], "sent", 5.0)
    await sending.flush(channel)  # within what is remembered: only the rows changed
    assert [f["mail"]["id"] for f in channel.frames] == [ids[0], ids[4]]
    channel.frames.clear()
    for mail_id in ids[:4]:  # 4 rows changed: more than the 3 remembered
        primary.mark_reported(mail_id)
    assert primary.touched_since(primary.changes - 4) is None
    await sending.flush(channel)  # the link reads the whole outbox again, nothing missed
    assert [f["mail"]["id"] for f in channel.frames] == ids
    assert [f["mail"]["reported"] for f in channel.frames] == [True] * 4 + [False]


def test_a_good_frame_gives_the_row_back() -> None:
    mail = mail_from_wire(tampered())
    assert (mail.id, mail.status, mail.message.startswith(b"Message-ID: <1@")) == (
        7, "queued", True)
    assert dataclasses.asdict(mail_from_wire(mail_frame(mail))) == dataclasses.asdict(mail)


@pytest.mark.parametrize(("frame", "message"), [
    (tampered(message=base64.b64encode(b"To: boss@example.com\r\n\r\nHi").decode()),
     "the message does not match its sha256"),
    (tampered(message="not base64!"), "field 'message' expected base64"),
    ({"type": KIND, "mail": "x"}, "field 'mail' expected an object, got str"),
    (tampered(id="7"), "field 'mail.id' expected a positive integer, got '7'"),
    (tampered(id=0), "expected a positive integer"),
    (tampered(status="lost"), "field 'status' expected queued, sent or failed, got 'lost'"),
    (tampered(attempts=-1), "field 'attempts' expected a count"),
    (tampered(attempts=True), "field 'attempts' expected a count"),
    (tampered(next_at="soon"), "field 'next_at' expected a time in seconds"),
    (tampered(done_at=float("nan")), "field 'done_at' expected a time in seconds"),
    (tampered(to=None), "field 'to' expected a string"),
    (tampered(kind="k" * 33), "field 'kind' expected a string of at most 32"),
    (tampered(reported="yes"), "field 'reported' expected true or false"),
])
def test_a_bad_or_tampered_frame_breaks_the_protocol(frame: dict[str, Any], message: str
                                                     ) -> None:
    with pytest.raises(ReplicationError, match=message):
        mail_from_wire(frame)


async def test_a_promoted_backup_reports_and_sends_what_the_primary_left(
    outboxes: tuple[Outbox, Outbox], smtp: SmtpServer
) -> None:
    primary, backup = outboxes
    sent_before, still_queued = queue(primary), queue(primary, "boss@example.com")
    primary.finish(sent_before, "sent", 2.0)  # sent, then the primary died before reporting
    channel = Recorded()
    await MailLink(primary).flush(channel)
    for frame in channel.frames:
        await MailLink(backup).received(frame)
    worker = MailWorker(backup, SmtpTransport("127.0.0.1", smtp.port, "none", timeout_s=5),
                        RetryPolicy(3, 0.05, 0.1))
    promoted = False
    worker.active = lambda: promoted
    outcomes: list[MailOutcome] = []
    both = trio.Event()

    def report(outcome: MailOutcome) -> None:
        outcomes.append(outcome)
        if len(outcomes) == 2:
            both.set()

    worker.on_outcome("transcript", report)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await trio.testing.wait_all_tasks_blocked()
            assert outcomes == [] and worker.attempts == 0  # a backup neither reports nor sends
            promoted = True
            worker.wake()
            await both.wait()
            nursery.cancel_scope.cancel()
    assert [(o.id, o.status) for o in outcomes] == [(sent_before, "sent"), (still_queued, "sent")]
    (got,) = await smtp.inbox.wait_for(1)
    assert got.recipients == ["boss@example.com"]
    assert backup.unreported() == []
