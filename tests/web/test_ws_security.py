"""Websocket upgrades are checked (Origin, session, role); a visitor reaches only its dialog."""

from __future__ import annotations

import json

import pytest
import trio
from trio_websocket import ConnectionRejected

from frontdesk.adapters.client import UpgradeRefusedError, VisitorClient, login
from frontdesk.adapters.client.socket import open_socket
from tests.web.nodes import PASSWORD, Node


async def upgrade(node: Node, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """The HTTP status of an upgrade attempt (101 if accepted)."""
    try:
        async with open_socket(f"ws://127.0.0.1:{node.port}{path}", headers) as ws:
            hello = json.loads(await ws.get_message())
            assert hello["type"] == "hello"
            return 101
    except ConnectionRejected as exc:
        body = json.loads(exc.body or b"{}")
        assert body["error"]["code"] in {"forbidden_origin", "no_session", "wrong_role"}
        return exc.status_code


async def test_an_upgrade_from_a_foreign_origin_is_refused_with_403(node: Node) -> None:
    own = node.url.encode()
    assert await upgrade(node, "/ws/visitor", [(b"Origin", own)]) == 101
    assert await upgrade(node, "/ws/visitor", [(b"Origin", b"http://evil.example")]) == 403
    assert await upgrade(node, "/ws/visitor", []) == 403  # no Origin at all
    token = await login(node.url, "ann", PASSWORD)
    cookie = (b"Cookie", f"fd_session={token}".encode())
    assert await upgrade(node, "/ws/operator", [(b"Origin", b"http://evil.example"), cookie]) \
        == 403


@pytest.mark.parametrize("node_options", [{"allowed_origins": ("https://shop.example",)}])
async def test_a_listed_origin_is_allowed(node: Node) -> None:
    assert await upgrade(node, "/ws/visitor", [(b"Origin", b"https://shop.example")]) == 101
    assert await upgrade(node, "/ws/visitor", [(b"Origin", b"https://other.example")]) == 403


async def test_the_operator_socket_needs_an_operator_session(node: Node) -> None:
    origin = (b"Origin", node.url.encode())
    assert await upgrade(node, "/ws/operator", [origin]) == 403
    assert await upgrade(node, "/ws/operator", [origin, (b"Cookie", b"fd_session=forged")]) \
        == 403
    manager = await login(node.url, "maria", PASSWORD)
    as_manager = (b"Cookie", f"fd_session={manager}".encode())
    assert await upgrade(node, "/ws/operator", [origin, as_manager]) == 403
    assert await upgrade(node, "/ws/manager", [origin, as_manager]) == 101
    operator = await login(node.url, "ann", PASSWORD)
    as_operator = (b"Cookie", f"fd_session={operator}".encode())
    assert await upgrade(node, "/ws/manager", [origin, as_operator]) == 403
    assert await upgrade(node, "/ws/operator", [origin, as_operator]) == 101


async def test_the_client_reports_a_refused_upgrade_when_not_reconnecting(node: Node) -> None:
    client = VisitorClient(node.url, origin="http://evil.example", reconnect=False)
    with pytest.raises(UpgradeRefusedError) as refused:
        async with client:
            pass
    assert refused.value.status == 403


async def test_a_visitor_token_on_another_dialog_is_refused(node: Node) -> None:
    vera = await node.visitor()
    ack = await vera.open("Vera")
    vera_dialog = ack["dialog"]
    await vera.say("my secret")
    vic = await node.visitor()
    vic_dialog = (await vic.open("Vic"))["dialog"]
    vic_token = vic.tokens[vic_dialog]

    await vic.send({"type": "resume", "dialog": vera_dialog, "token": vic_token, "ref": "steal"})
    refused = await vic.expect({"type": "error", "ref": "steal"})
    assert refused["code"] == "forbidden"
    await vic.send({"type": "resume", "dialog": vera_dialog, "token": "guess" * 9, "ref": "g"})
    assert (await vic.expect({"type": "error", "ref": "g"}))["code"] == "forbidden"
    await vic.send({"type": "resume", "dialog": "d-999", "token": vic_token, "ref": "u"})
    assert (await vic.expect({"type": "error", "ref": "u"}))["code"] == "unknown_dialog"
    # a say aimed at the other dialog is refused before it reaches the engine
    await vic.send({"type": "say", "dialog": vera_dialog, "text": "hi", "ref": "x"})
    assert (await vic.expect({"type": "error", "ref": "x"}))["code"] == "invalid"

    assert not [f for f in vic.received if f.get("dialog") == vera_dialog
                and f["type"].startswith("dialog.")]
    # vic's own dialog still works, and vera's is untouched
    said = await vic.say("hello", dialog=vic_dialog)
    assert said["dialog"] == vic_dialog
    assert (await vera.say("still mine"))["dialog"] == vera_dialog
    with trio.fail_after(5):
        messages = await vera.expect({"type": "dialog.message", "text": "still mine"})
    assert messages["author"] == "visitor"
