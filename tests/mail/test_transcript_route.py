"""The transcript by e-mail end to end: a real node, real websockets, the outbox, the worker
and a real SMTP server (aiosmtpd); the outcome comes back as a staff-only entry."""

from __future__ import annotations

import email
import email.message
import email.policy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.mail import Outbox, RetryPolicy, SmtpTransport
from frontdesk.adapters.mail.service import MailService
from frontdesk.config.loader import load_settings
from frontdesk.engine.settings import EngineSettings
from tests.mail.smtp_server import SmtpServer
from tests.web.nodes import PASSWORD, USERS, Node, frames_of, start_node

TEAM = "team@example.com"


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
def mail_service(tmp_path: Path, smtp: SmtpServer) -> MailService:
    return MailService(Outbox(tmp_path / "mail.sqlite3"),
                       SmtpTransport("127.0.0.1", smtp.port, "none", timeout_s=5.0),
                       RetryPolicy(3, 0.05, 0.1), from_address="desk@example.com",
                       reply_to=TEAM)


@pytest.fixture
async def mail_node(tmp_path: Path, accounts: Accounts, mail_service: MailService
                    ) -> AsyncIterator[Node]:
    mail = mail_service
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop, mail=mail)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    mail.close()
    accounts.close()


@asynccontextmanager
async def logged_in(node: Node, login: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=node.url, timeout=10.0) as client:
        answer = await client.post("/api/login", json={"login": login, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


async def a_dialog(node: Node) -> tuple[Any, Any, str, str]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    ack = await vera.open("Vera <script>", {"email": "vera@example.com"})
    dialog = ack["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.say("Where is my <b>parcel</b>?")
    await ann.expect({"type": "dialog.message", "dialog": dialog, "author": "visitor"})
    await ann.say(dialog, "On its way & due tomorrow.")
    await vera.expect({"type": "dialog.message", "author": "operator"})
    return ann, vera, dialog, ack["data"]["token"]


async def test_the_operator_mails_the_transcript_to_the_visitor(
    mail_node: Node, smtp: SmtpServer
) -> None:
    ann, vera, dialog, _ = await a_dialog(mail_node)
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/transcript",
                                 json={"note": "As promised, the chat."})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert (body["dialog"], body["to"], body["status"]) == (dialog, "vera@example.com", "queued")
    (got,) = await smtp.inbox.wait_for(1)
    msg = got.message
    assert got.recipients == ["vera@example.com"]
    assert msg["Reply-To"] == TEAM and msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"].startswith("Transcript of your chat") and dialog in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "As promised, the chat." in text
    assert "Vera <script>: Where is my <b>parcel</b>?" in text
    assert "Ann: On its way & due tomorrow." in text
    assert "Where is my &lt;b&gt;parcel&lt;/b&gt;?" in html and "<script>" not in html
    assert "On its way &amp; due tomorrow." in html
    entry = await ann.expect({"type": "dialog.mail", "dialog": dialog})
    assert (entry["kind"], entry["to"], entry["status"]) == (
        "transcript", "vera@example.com", "sent")
    assert entry["text"] == "sent to vera@example.com"
    await vera.say("thanks")  # the visitor's socket has gone past the entry's seq
    await ann.expect({"type": "dialog.message", "dialog": dialog, "text": "thanks"})
    assert frames_of(vera, "dialog.mail") == []


async def test_an_unreachable_server_is_retried_and_reported_failed(
    mail_node: Node, smtp: SmtpServer
) -> None:
    smtp.stop()  # the SMTP server is down for good: 3 tries, then the failure is reported
    ann, _vera, dialog, _ = await a_dialog(mail_node)
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/transcript",
                                 json={"to": "boss@example.com"})
    assert answer.status_code == 202, answer.text
    entry = await ann.expect({"type": "dialog.mail", "dialog": dialog}, timeout=10.0)
    assert entry["status"] == "failed"
    assert entry["text"].startswith("to boss@example.com failed after 3 tries: cannot reach")
    assert mail_node.ctx.mail is not None and mail_node.ctx.mail.worker.attempts == 3
    async with httpx.AsyncClient(base_url=mail_node.url) as http:
        metrics = (await http.get("/metrics")).text
    assert "frontdesk_mail_attempts_total 3" in metrics
    assert 'frontdesk_mail_outcomes_total{outcome="failed"} 1' in metrics


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"to": "not an address"}, 400, "bad_address"),
    ({"to": "x@example.com\r\nBcc: y@example.com"}, 400, "bad_address"),
    ({"to": 7}, 400, "bad_address"),
    ({"note": "n" * 2001}, 400, "bad_note"),
])
async def test_bad_input_is_refused_with_a_clear_error(
    mail_node: Node, smtp: SmtpServer, body: dict[str, Any], status: int, code: str
) -> None:
    _, _, dialog, _ = await a_dialog(mail_node)
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/transcript", json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert "expected" in answer.json()["error"]["message"]
    assert smtp.inbox.received == []


async def test_only_the_dialogs_staff_may_send_or_read_it(mail_node: Node) -> None:
    _, _, dialog, _ = await a_dialog(mail_node)
    async with logged_in(mail_node, "bob") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/transcript", json={})
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        answer = await http.get(f"/api/dialogs/{dialog}/history")
        assert answer.status_code == 403
        answer = await http.get("/api/dialogs/d-999/history")
        assert answer.status_code == 404
        answer = await http.get(f"/api/dialogs/{'d' * 65}/history")
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "bad_dialog")
        answer = await http.post("/api/dialogs/d%0a1/transcript", json={})
        assert answer.json()["error"]["message"] == (
            "expected a dialog id like d-17, got 'd\\n1'")
    async with httpx.AsyncClient(base_url=mail_node.url) as anonymous:
        answer = await anonymous.post(f"/api/dialogs/{dialog}/transcript", json={})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "no_session"
    async with logged_in(mail_node, "maria") as http:  # a manager may read it
        answer = await http.get(f"/api/dialogs/{dialog}/history")
        assert answer.status_code == 200
        kinds = [e["type"] for e in answer.json()["entries"]]
        assert kinds[:2] == ["dialog.opened", "dialog.assigned"]


async def test_the_visitor_asks_for_it_once_the_chat_has_ended(
    mail_node: Node, smtp: SmtpServer
) -> None:
    _ann, vera, dialog, token = await a_dialog(mail_node)
    assert mail_node.ctx.mail is not None
    reported = trio.Event()
    mail_node.ctx.mail.on_outcome("transcript", lambda outcome: reported.set())
    async with httpx.AsyncClient(base_url=mail_node.url) as http:
        early = await http.post(f"/api/dialogs/{dialog}/transcript", json={"token": token})
        assert early.status_code == 409 and early.json()["error"]["code"] == "dialog_open"
        await vera.close()
        wrong = await http.post(f"/api/dialogs/{dialog}/transcript",
                                json={"token": "x" * 43, "to": "vera@example.com"})
        assert wrong.status_code == 403
        answer = await http.post(f"/api/dialogs/{dialog}/transcript",
                                 json={"token": token, "to": "vera.home@example.com"})
        assert answer.status_code == 202, answer.text
    (got,) = await smtp.inbox.wait_for(1)
    assert got.recipients == ["vera.home@example.com"]
    assert "The chat was closed." in got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # closed: no entry can take the outcome; the operator reads it in the history's mails
    with trio.fail_after(10):
        await reported.wait()
    async with logged_in(mail_node, "ann") as http:
        history = (await http.get(f"/api/dialogs/{dialog}/history")).json()
    assert history["closed"] is True
    (mail,) = history["mails"]
    assert (mail["kind"], mail["to"], mail["status"], mail["attempts"]) == (
        "transcript", "vera.home@example.com", "sent", 1)
    assert not [e for e in history["entries"] if e["type"] == "dialog.mail"]


class TestWithoutAnSmtpServer:
    """The defaults (``make demo``): no ``[mail] host``, so ``.eml`` files in the data dir."""

    @pytest.fixture
    def mail_service(self, tmp_path: Path) -> MailService:
        settings = load_settings(None, {"FRONTDESK_STORAGE__DATA_DIR": str(tmp_path / "data")})
        (tmp_path / "data").mkdir()
        return MailService.from_settings(settings, {})

    async def test_the_transcript_is_an_eml_file_in_the_data_dir(
        self, mail_node: Node, tmp_path: Path
    ) -> None:
        ann, _, dialog, _ = await a_dialog(mail_node)
        async with logged_in(mail_node, "ann") as http:
            answer = await http.post(f"/api/dialogs/{dialog}/transcript", json={})
        assert answer.status_code == 202, answer.text
        entry = await ann.expect({"type": "dialog.mail", "dialog": dialog})
        assert entry["text"] == "sent to vera@example.com"
        (written,) = (tmp_path / "data" / "mail").glob("*.eml")
        msg = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        assert msg["To"] == "vera@example.com" and msg["From"] == "frontdesk@localhost"
        body = msg.get_body(("plain",))
        assert body is not None and "Ann: On its way & due tomorrow." in body.get_content()


async def test_a_visitors_request_from_a_foreign_site_is_checked_against_the_origins(
    mail_node: Node, smtp: SmtpServer
) -> None:
    _, vera, dialog, token = await a_dialog(mail_node)
    await vera.close()
    body = json.dumps({"token": token, "to": "vera@example.com"})
    plain = {"content-type": "text/plain"}  # what the widget sends: no CORS preflight
    async with httpx.AsyncClient(base_url=mail_node.url) as http:
        foreign = await http.post(f"/api/dialogs/{dialog}/transcript", content=body,
                                  headers={**plain, "origin": "https://evil.example.com"})
        assert foreign.status_code == 403
        assert "access-control-allow-origin" not in foreign.headers
        deep = await http.post(f"/api/dialogs/{dialog}/transcript", content="[" * 5000,
                               headers=plain)
        assert (deep.status_code, deep.json()["error"]["code"]) == (400, "bad_json")
        own = await http.post(f"/api/dialogs/{dialog}/transcript", content=body,
                              headers={**plain, "origin": mail_node.url})
        assert own.status_code == 202, own.text
        assert own.headers["access-control-allow-origin"] == mail_node.url
    await smtp.inbox.wait_for(1)


async def test_a_formatted_answer_is_mailed_as_safe_html_and_plain_text(
    mail_node: Node, smtp: SmtpServer
) -> None:
    ann, vera, dialog, _ = await a_dialog(mail_node)
    await ann.say(dialog, "See **the** [guide](https://example.com/guide) or "
                          "[this](javascript:alert(1))", format="markdown")
    await vera.expect({"type": "dialog.message", "author": "operator", "format": "markdown"})
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/transcript", json={})
    assert answer.status_code == 202, answer.text
    (got,) = await smtp.inbox.wait_for(1)
    html = got.message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<strong>the</strong>" in html
    assert '<a href="https://example.com/guide"' in html and "nofollow" in html
    assert 'href="javascript' not in html.lower()  # a javascript: link is no link
    assert "**" not in text and "See the guide (https://example.com/guide)" in text
