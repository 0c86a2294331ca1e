"""The outbox and its worker against a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import email
import email.policy
import itertools
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.mail import (
    EmlTransport,
    MailError,
    MailOutcome,
    MailWorker,
    Outbox,
    RetryPolicy,
    SmtpTransport,
    build_message,
    check_address,
)
from frontdesk.adapters.mail.outbox import QueuedMail
from tests.mail.smtp_server import SmtpServer

FROM = "desk@example.com"


def a_message(to: str = "visitor@example.com") -> email.message.EmailMessage:
    return build_message(to=to, from_address=FROM, reply_to="team@example.com",
                         subject="Your chat\r\nBcc: evil@example.com", text="Hello & <b>bye</b>",
                         html="<p>Hello &amp; &lt;b&gt;bye&lt;/b&gt;</p>")


class Outcomes:
    def __init__(self) -> None:
        self.got: list[MailOutcome] = []
        self.event = trio.Event()

    def __call__(self, outcome: MailOutcome) -> None:
        self.got.append(outcome)
        self.event.set()


def smtp_to(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", server.port, "none", timeout_s=5.0)


async def test_a_queued_mail_arrives_with_both_parts_and_its_headers(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, smtp_to(smtp), RetryPolicy(3, 0.05, 0.2))
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    queued = outbox.enqueue("test", "d-1", a_message(), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    (got,) = await smtp.inbox.wait_for(1)
    assert got.sender == FROM and got.recipients == ["visitor@example.com"]
    msg = got.message
    assert msg["Reply-To"] == "team@example.com"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == "Your chat Bcc: evil@example.com"  # no header injected
    assert msg["Bcc"] is None
    assert msg["Message-ID"].endswith("@example.com>") and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().strip() == "Hello & <b>bye</b>"
    assert "&lt;b&gt;bye&lt;/b&gt;" in html.get_content()
    assert outcomes.got == [MailOutcome(queued.id, "test", "d-1", "visitor@example.com",
                                        "sent", 1, "")]
    row = outbox.get(queued.id)
    assert row is not None and row.status == "sent" and row.attempts == 1
    assert outbox.unreported() == []
    outbox.close()


async def test_a_down_server_is_retried_with_backoff_until_it_is_up(tmp_path: Path) -> None:
    server = SmtpServer()  # not started: its port refuses connections
    policy = RetryPolicy(max_attempts=10, initial_s=0.05, max_s=0.2)
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, smtp_to(server), policy)
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    tries: list[tuple[int, float, str]] = []
    three_failed = trio.Event()

    def tried(mail: QueuedMail, n: int, error: str) -> None:
        tries.append((n, trio.current_time(), error))
        if n == 3:
            server.start()  # up from the fourth try on
            three_failed.set()

    worker.tried = tried
    outbox.enqueue("test", "d-2", a_message(), sender=FROM, now=worker.now())
    try:
        with trio.fail_after(15):
            async with trio.open_nursery() as nursery:
                await nursery.start(worker.run)
                await three_failed.wait()
                await outcomes.event.wait()
                nursery.cancel_scope.cancel()
        await server.inbox.wait_for(1)
    finally:
        server.stop()
    assert [n for n, _, _ in tries] == [1, 2, 3, 4]
    assert all(f"cannot reach 127.0.0.1:{server.port}" in e for _, _, e in tries[:3])
    assert tries[3][2] == ""
    gaps = [b - a for (_, a, _), (_, b, _) in itertools.pairwise(tries)]
    for failed, gap in enumerate(gaps, start=1):  # never earlier than the backoff
        assert gap >= policy.backoff_s(failed) * 0.95
    assert outcomes.got[0].status == "sent" and outcomes.got[0].attempts == 4
    outbox.close()


def test_the_backoff_doubles_up_to_its_bound() -> None:
    policy = RetryPolicy(max_attempts=8, initial_s=30, max_s=300)
    assert [policy.backoff_s(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


async def test_after_the_last_try_the_mail_is_reported_failed_with_the_reason(
    tmp_path: Path
) -> None:
    server = SmtpServer()  # never started
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, smtp_to(server), RetryPolicy(3, 0.01, 0.02))
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    outbox.enqueue("test", "d-3", a_message(), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    (outcome,) = outcomes.got
    assert outcome.status == "failed" and outcome.attempts == 3
    assert outcome.describe().startswith(
        f"to visitor@example.com failed after 3 tries: cannot reach 127.0.0.1:{server.port}")
    assert worker.attempts == 3
    outbox.close()


async def test_a_refused_recipient_fails_at_once(tmp_path: Path, smtp: SmtpServer) -> None:
    smtp.inbox.refuse.add("gone@example.com")
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, smtp_to(smtp), RetryPolicy(5, 0.01, 0.02))
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    outbox.enqueue("test", "d-4", a_message("gone@example.com"), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    (outcome,) = outcomes.got
    assert outcome.status == "failed" and outcome.attempts == 1
    assert "refused gone@example.com: 550" in outcome.error
    outbox.close()


async def test_a_queued_mail_is_sent_after_a_restart(tmp_path: Path, smtp: SmtpServer) -> None:
    db = tmp_path / "accounts.sqlite3"
    down = SmtpServer()  # the first run: nothing listens
    first = Outbox(db)
    worker = MailWorker(first, smtp_to(down), RetryPolicy(5, 30.0, 60.0))
    failed_once = trio.Event()
    worker.tried = lambda mail, n, error: failed_once.set()
    queued = first.enqueue("test", "d-5", a_message(), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await failed_once.wait()
            nursery.cancel_scope.cancel()  # the process "stops" with the mail queued
    first.close()
    again = Outbox(db)  # the restart, with the server up; the row is due now
    row = again.get(queued.id)
    assert row is not None and row.status == "queued" and row.attempts == 1
    worker = MailWorker(again, smtp_to(smtp), RetryPolicy(5, 30.0, 60.0),
                        now=lambda: row.next_at)
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    (got,) = await smtp.inbox.wait_for(1)
    assert got.message["To"] == "visitor@example.com"
    assert outcomes.got[0].attempts == 2
    again.close()


async def test_without_a_server_the_mail_is_an_eml_file(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    transport = EmlTransport(tmp_path / "mail")
    worker = MailWorker(outbox, transport, RetryPolicy())
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    queued = outbox.enqueue("test", "d-6", a_message(), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    files = sorted((tmp_path / "mail").iterdir())
    assert files == [transport.path_of(queued.id)]
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    assert msg["To"] == "visitor@example.com" and msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_body(("html",)) is not None and msg.get_body(("plain",)) is not None
    assert outcomes.got[0].status == "sent"
    outbox.close()


@pytest.mark.parametrize("bad", ["", "no-at-sign", "a@b@c.com", "a b@example.com",
                                 "x@example.com\r\nBcc: y@example.com", "x@-bad.com",
                                 "x" * 250 + "@example.com", "<x@example.com>"])
def test_a_bad_address_is_refused_naming_what_came(bad: str) -> None:
    with pytest.raises(MailError, match=r"expected an e-mail address like name@example\.com, got"):
        check_address(bad, "to")


def test_a_good_address_passes_trimmed() -> None:
    assert check_address("  Ann.O'Neil+chat@mail.example.co.uk ") == (
        "Ann.O'Neil+chat@mail.example.co.uk")


async def test_only_an_active_node_sends(tmp_path: Path, smtp: SmtpServer) -> None:
    """In a cluster only the primary's worker sends (``active()``): a backup leaves the
    queued mail alone until it becomes primary."""
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, smtp_to(smtp), RetryPolicy(3, 0.05, 0.1))
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    primary = False
    looks = [trio.Event(), trio.Event()]  # its first and second look at active()

    def active() -> bool:
        (looks[0] if not looks[0].is_set() else looks[1]).set()
        return primary

    worker.active = active
    worker.tried = lambda mail, n, error: pytest.fail("a backup tried to send")
    queued = outbox.enqueue("test", "d-7", a_message(), sender=FROM, now=worker.now())
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await looks[0].wait()  # a backup: it waits to be woken (or to look again)
            worker.wake()
            await looks[1].wait()  # woken as a backup: it looked, and sent nothing
            row = outbox.get(queued.id)
            assert row is not None and (row.status, row.attempts) == ("queued", 0)
            primary = True
            worker.tried = None
            worker.wake()
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()
    assert [o.status for o in outcomes.got] == ["sent"]
    await smtp.inbox.wait_for(1)
    outbox.close()
