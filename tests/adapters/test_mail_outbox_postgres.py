"""The mail outbox on PostgreSQL (the scratch server of tests/adapters/conftest.py): the
same table and worker as on SQLite, sending to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import trio

from frontdesk.adapters.mail import MailOutcome, MailWorker, Outbox, RetryPolicy, SmtpTransport
from frontdesk.adapters.mail.message import build_message
from tests.adapters.test_storage_journal import postgres_url
from tests.mail.smtp_server import SmtpServer


async def test_a_mail_queued_on_postgres_is_sent_and_stays_recorded() -> None:
    url = postgres_url()
    smtp = SmtpServer()
    smtp.start()
    outbox = Outbox(url)
    try:
        outbox._db.execute_sql("DELETE FROM mail_outbox")  # the scratch database is shared
        message = build_message(to="vera@example.com", from_address="desk@example.com",
                                reply_to="team@example.com", subject="Transcript",
                                text="Hello", html="<p>Hello</p>")
        queued = outbox.enqueue("test", "d-1", message, sender="desk@example.com", now=1.0)
        worker = MailWorker(outbox, SmtpTransport("127.0.0.1", smtp.port, "none", timeout_s=5),
                            RetryPolicy(3, 0.05, 0.1))
        done = trio.Event()
        outcomes: list[MailOutcome] = []

        def report(outcome: MailOutcome) -> None:
            outcomes.append(outcome)
            done.set()

        worker.on_outcome("test", report)
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                await nursery.start(worker.run)
                await done.wait()
                nursery.cancel_scope.cancel()
        (got,) = await smtp.inbox.wait_for(1)
        assert got.message["To"] == "vera@example.com"
        assert [o.status for o in outcomes] == ["sent"]
    finally:
        outbox.close()
        smtp.stop()
    again = Outbox(url)  # a restart reads the same row
    try:
        row = again.get(queued.id)
        assert row is not None and (row.status, row.attempts) == ("sent", 1)
        assert again.unreported() == [] and again.due(now=1e12) == []
    finally:
        again.close()
