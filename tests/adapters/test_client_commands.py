"""The Python client against a real node: every command answers the same way, and a
client that cannot connect says why (issue 20, items 4 and 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
import trio.testing

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.client import (
    ClientError,
    OperatorClient,
    RefusedError,
    UpgradeRefusedError,
    VisitorClient,
    http_request,
)
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import PASSWORD, USERS, Node, start_node


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[Node]:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    accounts.close()


async def _opened(node: Node) -> tuple[VisitorClient, str, str]:
    vera = await node.visitor()
    ack = await vera.open("Vera")
    return vera, ack["dialog"], ack["data"]["token"]


# --- resume is a command like the others (item 4) ------------------------------------------


async def test_resume_returns_the_ack_then_the_replay_follows(node: Node) -> None:
    vera, dialog, token = await _opened(node)
    await vera.say("hello")
    again = await node.visitor()
    ack = await again.resume(dialog, token)
    assert (ack["type"], ack["dialog"]) == ("ack", dialog)
    heard = await again.expect({"type": "dialog.message", "text": "hello"})
    assert ack["seq"] >= heard["seq"]  # the ack names the dialog's seq when resumed
    assert again.dialog == dialog and again.tokens[dialog] == token


async def test_resume_of_a_closed_dialog_is_acked_and_replays_the_close(node: Node) -> None:
    vera, dialog, token = await _opened(node)
    await vera.close()
    again = await node.visitor()
    ack = await again.resume(dialog, token, after_seq=0)
    assert ack["dialog"] == dialog
    await again.expect({"type": "dialog.closed", "dialog": dialog})


async def test_resume_with_a_wrong_token_raises_forbidden(node: Node) -> None:
    _, dialog, _ = await _opened(node)
    intruder = await node.visitor()
    with pytest.raises(RefusedError) as refused:
        await intruder.resume(dialog, "not-the-token")
    assert refused.value.code == "forbidden"
    assert dialog not in intruder.tokens  # it stops resuming a dialog that is not its own


async def test_resume_of_an_unknown_dialog_raises_unknown_dialog(node: Node) -> None:
    lost = await node.visitor()
    with pytest.raises(RefusedError) as refused:
        await lost.resume("d-404", "whatever")
    assert refused.value.code == "unknown_dialog"
    assert "d-404" in str(refused.value)


# --- lost causes (item 5) --------------------------------------------------------------------


async def test_an_operator_without_a_session_is_told_no_session_at_once(node: Node) -> None:
    nobody = OperatorClient(node.url)  # default reconnect, no session
    with trio.fail_after(5), pytest.raises(UpgradeRefusedError) as refused:
        async with nobody:
            pass
    assert refused.value.status == 403
    assert refused.value.code == "no_session"
    assert "the operator endpoint needs an operator session" in str(refused.value)


async def test_a_client_that_never_connected_says_why() -> None:
    sock = trio.socket.socket()
    await sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there
    url = f"http://127.0.0.1:{port}"
    with trio.fail_after(10), pytest.raises(ClientError) as failed:
        async with VisitorClient(url, reconnect=False):
            pass
    text = str(failed.value)
    assert "never connected" in text and f"ws://127.0.0.1:{port}/ws/visitor" in text, text
    assert "refused" in text.lower(), text
    assert "codes []" not in text


async def test_with_reconnect_the_timeout_names_the_last_failure() -> None:
    sock = trio.socket.socket()
    await sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = VisitorClient(f"http://127.0.0.1:{port}")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(client.run)  # fails in time; wait_connected says why first
        with pytest.raises(ClientError) as failed:
            await client.wait_connected(timeout=0.5)
        await client.aclose()
    assert "last failure" in str(failed.value) and "refused" in str(failed.value).lower()


async def test_a_say_waiting_for_a_reconnection_raises_the_cause_when_it_cannot_come(
    node: Node,
) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    _vera, dialog, _ = await _opened(node)
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    ann.reconnect_gate = trio.Event()
    ann.drop()
    await ann.expect_close()
    answered: list[BaseException] = []

    async def say() -> None:
        try:
            await ann.say(dialog, "typed while the network was down", timeout=60)
        except UpgradeRefusedError as exc:
            answered.append(exc)

    with trio.fail_after(10):  # far less than the say's own 60 s
        async with trio.open_nursery() as nursery:
            nursery.start_soon(say)
            await trio.testing.wait_all_tasks_blocked()
            # the session ends elsewhere (another tab logs out): the say can never be sent
            ended = await http_request("POST", f"{node.url}/api/logout", headers={
                "Cookie": f"fd_session={ann.session}", "Origin": node.url})
            assert ended.status == 200, ended.body
            ann.reconnect_gate.set()
    assert len(answered) == 1 and answered[0].code == "no_session", answered  # type: ignore[attr-defined]
