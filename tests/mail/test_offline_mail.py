"""An offline message mailed through the outbox and the worker to a real SMTP server
(aiosmtpd), answerable to the visitor (Reply-To), its text escaped in the HTML part."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.mail import Outbox, RetryPolicy, SmtpTransport
from frontdesk.adapters.mail.service import MailService
from frontdesk.adapters.offline import OfflineMessages
from frontdesk.engine.settings import EngineSettings
from tests.mail.smtp_server import SmtpServer
from tests.web.nodes import PASSWORD, USERS, Node, start_node

TEAM = "team@example.com"


@pytest.fixture
async def mail_node(tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[Node]:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    mail = MailService(Outbox(tmp_path / "accounts.sqlite3"),
                       SmtpTransport("127.0.0.1", smtp.port, "none", timeout_s=5.0),
                       RetryPolicy(3, 0.05, 0.1), from_address="desk@example.com",
                       reply_to="noreply@example.com")
    store = OfflineMessages(tmp_path / "accounts.sqlite3")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={"offline_notify_address": TEAM},
                                settings=EngineSettings(), nursery=nursery, stop=stop,
                                mail=mail, offline=store)
        try:
            yield node
        finally:
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    store.close()
    mail.close()
    accounts.close()


async def test_an_offline_message_reaches_the_team_address(mail_node: Node, smtp: SmtpServer
                                                           ) -> None:
    body = {"name": "Ada <b>L</b>", "email": "ada@example.com",
            "message": "Do you ship to Lyon?\n<script>x</script>"}
    async with httpx.AsyncClient(base_url=mail_node.url) as http:
        answer = await http.post("/api/offline", content=json.dumps(body),
                                 headers={"content-type": "text/plain"})
    assert answer.status_code == 201 and answer.json()["mailed"] is True
    [got] = await smtp.inbox.wait_for(1)
    assert got.recipients == [TEAM]
    assert got.message["Reply-To"] == "ada@example.com"
    assert got.message["Subject"].startswith("Offline message from Ada <b>L</b> (")
    text = got.message.get_body(("plain",))
    html = got.message.get_body(("html",))
    assert text is not None and html is not None
    assert "Do you ship to Lyon?\n<script>x</script>" in text.get_content().replace("\r\n", "\n")
    assert "&lt;script&gt;x&lt;/script&gt;" in html.get_content()
    assert "<script>" not in html.get_content()
