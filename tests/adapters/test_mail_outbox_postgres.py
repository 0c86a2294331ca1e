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


async def test_on_a_shared_outbox_only_the_node_accepting_writes_sends() -> None:
    """Both nodes of a cluster on one PostgreSQL see the same rows: no ``repl.mail`` link is
    made for it, and the backup's worker (or a primary whose lease lapsed) never sends."""
    url = postgres_url()
    smtp = SmtpServer()
    smtp.start()
    primary, backup = Outbox(url), Outbox(url)
    try:
        assert primary.shared and backup.shared  # web/cluster_node.py makes no MailLink
        primary._db.execute_sql("DELETE FROM mail_outbox")  # the scratch database is shared
        policy = RetryPolicy(3, 0.05, 0.1)
        workers = {name: MailWorker(box, SmtpTransport("127.0.0.1", smtp.port, "none",
                                                       timeout_s=5), policy)
                   for name, box in (("a", primary), ("b", backup))}
        writer = {"node": "b"}  # b accepts writes; a is the backup (or was deposed)
        done = trio.Event()
        reported: list[tuple[str, MailOutcome]] = []

        def wire(name: str, worker: MailWorker) -> None:
            def report(outcome: MailOutcome) -> None:
                reported.append((name, outcome))
                done.set()

            worker.active = lambda: writer["node"] == name
            worker.on_outcome("test", report)

        for name, worker in workers.items():
            wire(name, worker)
        message = build_message(to="vera@example.com", from_address="desk@example.com",
                                reply_to="team@example.com", subject="Transcript",
                                text="Hello", html="<p>Hello</p>")
        primary.enqueue("test", "d-1", message, sender="desk@example.com", now=1.0)
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                for worker in workers.values():
                    await nursery.start(worker.run)
                await done.wait()
                nursery.cancel_scope.cancel()
        (got,) = await smtp.inbox.wait_for(1)
        assert got.message["To"] == "vera@example.com"
        assert [name for name, _ in reported] == ["b"]
        assert (workers["a"].attempts, workers["b"].attempts) == (0, 1)
    finally:
        primary.close()
        backup.close()
        smtp.stop()
