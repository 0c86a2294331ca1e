"""Monitored dialogs end to end on a real node: the operator opens one over HTTP, the
person's mail reaches a real SMTP server (aiosmtpd), its link is exchanged once for the
dialog's visitor token; an expired, reused or foreign link is refused and changes nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.mail.service import MailService
from frontdesk.engine.settings import EngineSettings
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_transcript_route import accounts, logged_in, mail_service
from tests.web.nodes import Node, start_node

__all__ = ["accounts", "mail_service"]  # fixtures, shared with the transcript's tests

LINK = re.compile(r"#frontdesk-link=(d-\d+)\.([A-Za-z0-9_-]+)")


@pytest.fixture
async def mail_node(tmp_path: Path, accounts: Accounts, mail_service: MailService
                    ) -> AsyncIterator[Node]:
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={
            "monitored_link_base": "https://shop.example/help", "monitored_link_expiry_s": 600.0,
        }, settings=EngineSettings(), nursery=nursery, stop=stop, mail=mail_service)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    mail_service.close()
    accounts.close()


async def console(node: Node) -> Any:
    """Ann's console, once the engine has logged her in (her state burst came)."""
    ann = await node.operator("ann")
    await ann.expect({"type": "queue.length"})
    return ann


async def create(node: Node, name: str = "Pat <b>", email: str = "pat@example.com"
                 ) -> tuple[str, str]:
    if not any(o["id"] == "ann" for o in node.engine.snapshot()["operators"]):
        await console(node)
    async with logged_in(node, "ann") as http:
        answer = await http.post("/api/monitored", json={
            "name": name, "email": email, "text": "We spoke on the phone: your order?"})
    assert answer.status_code == 201, answer.text
    return answer.json()["dialog"], answer.json()["to"]


async def exchange(node: Node, dialog: str, link: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=node.url) as http:
        return await http.post("/api/monitored/link", json={"dialog": dialog, "link": link})


async def test_the_link_opens_the_dialog_once(mail_node: Node, smtp: SmtpServer) -> None:
    ann = await console(mail_node)
    dialog, to = await create(mail_node)
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog, "monitored": True})
    await ann.expect({"type": "dialog.message", "dialog": dialog, "author": "operator"})
    (got,) = await smtp.inbox.wait_for(1)
    assert got.recipients == [to]
    text = got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = got.message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "We spoke on the phone: your order?" in text and "Pat &lt;b&gt;" in html
    found = LINK.search(text)
    assert found is not None and text[:found.start()].endswith("https://shop.example/help")
    assert found.group(1) == dialog
    answer = await exchange(mail_node, dialog, found.group(2))
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    pat = await mail_node.visitor()
    await pat.resume(dialog, token, after_seq=0)
    await pat.expect({"type": "dialog.message", "author": "operator",
                      "text": "We spoke on the phone: your order?"})
    await pat.say("Order 42, thanks", dialog=dialog)
    await ann.expect({"type": "dialog.message", "dialog": dialog, "author": "visitor",
                      "text": "Order 42, thanks"})
    again = await exchange(mail_node, dialog, found.group(2))
    assert again.status_code == 410 and again.json()["error"]["code"] == "link_used"
    await pat.say("still here", dialog=dialog)  # the reuse changed nothing
    await ann.expect({"type": "dialog.message", "dialog": dialog, "text": "still here"})


async def test_expired_and_foreign_links_are_refused(mail_node: Node, smtp: SmtpServer
                                                     ) -> None:
    first, _ = await create(mail_node, "Pat")
    second, _ = await create(mail_node, "Sam", "sam@example.com")
    mails = await smtp.inbox.wait_for(2)
    links = {}
    for got in mails:
        found = LINK.search(got.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert found is not None
        links[found.group(1)] = found.group(2)
    foreign = await exchange(mail_node, second, links[first])
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "forbidden"
    assert "the link is not this dialog's" in foreign.json()["error"]["message"]
    pat = await mail_node.visitor()  # nothing was affected: the right link still works
    fresh = await exchange(mail_node, second, links[second])
    assert fresh.status_code == 200, fresh.text
    await pat.resume(second, fresh.json()["token"], after_seq=0)
    await pat.expect({"type": "dialog.message", "author": "operator"})
    mail_node.clock.advance(601)
    late = await exchange(mail_node, first, links[first])
    assert late.status_code == 410 and late.json()["error"]["code"] == "link_expired"
    unknown = await exchange(mail_node, "d-999", links[first])
    assert unknown.status_code == 404, unknown.text
    bad = await exchange(mail_node, "d 1\n", "x")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_dialog"



@pytest.mark.parametrize(("body", "code"), [
    ({"name": "", "email": "p@example.com", "text": "hi"}, "bad_name"),
    ({"name": "Pat", "email": "not an address", "text": "hi"}, "bad_email"),
    ({"name": "Pat", "email": "p@example.com\r\nBcc: x@example.com", "text": "hi"}, "bad_email"),
    ({"name": "Pat", "email": "p@example.com", "text": 3}, "bad_text"),
    ({"name": "Pat", "email": "p@example.com", "text": "x" * 4001}, "bad_text"),
])
async def test_bad_input_is_refused_naming_what_was_expected(
        mail_node: Node, body: dict[str, object], code: str) -> None:
    await console(mail_node)
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post("/api/monitored", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    assert "expected" in answer.json()["error"]["message"]
    assert mail_node.engine.snapshot()["dialogs"] == []


async def test_an_operator_without_a_console_is_told_to_open_it(mail_node: Node) -> None:
    async with logged_in(mail_node, "ann") as http:
        answer = await http.post("/api/monitored", json={"name": "P", "email": "p@example.com",
                                                         "text": "hi"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_logged_in"
    assert "open the console first" in answer.json()["error"]["message"]
    assert mail_node.engine.snapshot()["dialogs"] == []


async def test_a_visitor_cannot_create_one(mail_node: Node) -> None:
    async with httpx.AsyncClient(base_url=mail_node.url) as http:
        answer = await http.post("/api/monitored", json={"name": "P", "email": "p@example.com",
                                                         "text": "hi"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "no_session"
