"""The mail outbox replicates (``repl.mail``): a transcript queued on the primary while the
SMTP server is down is sent by the new primary after a kill -9 of the old one, exactly as
queued (same Message-ID), and the dialog gets its "sent to ..." entry there (real
processes, loopback, a real SMTP server: aiosmtpd)."""

from __future__ import annotations

import email
import signal
from typing import Any

import httpx
import pytest
import trio
from failover_procs import NodeProc, ProcCluster, wait_health
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.client import VisitorClient
from frontdesk.adapters.mail import Outbox
from tests.mail.smtp_server import SmtpServer

pytestmark = pytest.mark.slow


async def start_nodes(cluster: ProcCluster) -> tuple[NodeProc, NodeProc]:
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    for node in (a, b):
        prepare_accounts(node.data_dir)
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    return a, b


async def history_with_mail_entry(node: NodeProc, dialog: str) -> dict[str, Any]:
    """The dialog's history on ``node`` once it holds a ``dialog.mail`` entry."""
    async with httpx.AsyncClient(base_url=node.url, timeout=30.0) as http:
        login = await http.post("/api/login", json={"login": "maria", "password": PASSWORD})
        assert login.status_code == 200, login.text
        with trio.fail_after(30):
            while True:
                history: dict[str, Any] = (
                    await http.get(f"/api/dialogs/{dialog}/history")).json()
                if any(e["type"] == "dialog.mail" for e in history["entries"]):
                    return history
                await trio.sleep(0.1)  # polling another process: nothing to wait on


async def test_a_queued_transcript_is_sent_by_the_new_primary(cluster: ProcCluster) -> None:
    smtp = SmtpServer()  # not started: the port refuses, every try fails and is retried
    cluster.extra_env.update({
        "FRONTDESK_MAIL__HOST": "127.0.0.1", "FRONTDESK_MAIL__PORT": str(smtp.port),
        "FRONTDESK_MAIL__SECURITY": "none", "FRONTDESK_MAIL__TIMEOUT_S": "2",
        "FRONTDESK_MAIL__MAX_ATTEMPTS": "100", "FRONTDESK_MAIL__RETRY_INITIAL_S": "0.2",
        "FRONTDESK_MAIL__RETRY_MAX_S": "0.3"})
    a, b = await start_nodes(cluster)
    try:
        async with trio.open_nursery() as nursery:
            vera = VisitorClient([a.url, b.url])
            await nursery.start(vera.run)
            ack = await vera.open("Vera", timeout=30)
            dialog = ack["dialog"]
            async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
                login = await on_a.post("/api/login",
                                        json={"login": "maria", "password": PASSWORD})
                assert login.status_code == 200, login.text
                queued = await on_a.post(f"/api/dialogs/{dialog}/transcript",
                                         json={"to": "vera@example.com"})
                assert queued.status_code == 202, queued.text
                # a record after the mail: synchronously replicated, so the backup holds
                # the outbox row before this is acknowledged (the row goes first)
                await vera.say("one more thing", timeout=30)
                before = await on_a.get(f"/api/dialogs/{dialog}/history")
                assert [m["status"] for m in before.json()["mails"]] == ["queued"]
            cluster.signal("a", signal.SIGKILL)
            outbox = Outbox(a.data_dir / "accounts.sqlite3")  # what a had queued
            (mail,) = outbox.of_subject(dialog)
            outbox.close()
            queued_id = email.message_from_bytes(mail.message)["Message-ID"]
            await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
            smtp.start()
            (got,) = await smtp.inbox.wait_for(1, timeout_s=30)
            assert got.recipients == ["vera@example.com"]
            assert got.message["Message-ID"] == queued_id  # receivers de-duplicate on it
            history = await history_with_mail_entry(b, dialog)
            (entry,) = [e for e in history["entries"] if e["type"] == "dialog.mail"]
            assert (entry["status"], entry["text"]) == ("sent", "sent to vera@example.com")
            (row,) = history["mails"]
            assert (row["id"], row["status"]) == (queued.json()["mail"], "sent")
            await vera.aclose()
            nursery.cancel_scope.cancel()
    finally:
        smtp.stop()
    assert len(smtp.inbox.received) == 1
