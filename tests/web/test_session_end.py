"""Ending a session ends its sockets (issue 12 finding 5): logout and password change.

After ``POST /api/logout`` the session's open operator and manager sockets were left
working. Now each is closed with 1008 ("session ended"), and a new upgrade with the old
cookie is refused; another session of the same user is left alone by a logout.
"""

from __future__ import annotations

import httpx
import pytest
import trio

from frontdesk.adapters.client import ClientError, ManagerClient, OperatorClient
from frontdesk.adapters.client.http import login as http_login
from tests.web.nodes import PASSWORD, Node


def http(node: Node, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=node.url, cookies={"fd_session": token}, timeout=10)


async def test_logout_closes_every_socket_of_that_session_with_1008(node: Node) -> None:
    token = await http_login(node.url, "ann", PASSWORD)
    other = await http_login(node.url, "ann", PASSWORD)  # a second session of the same user
    tab1 = await node.started(OperatorClient(node.url, session=token))
    tab2 = await node.started(OperatorClient(node.url, session=token))
    kept = await node.started(OperatorClient(node.url, session=other))
    boss_token = await http_login(node.url, "maria", PASSWORD)
    boss = await node.started(ManagerClient(node.url, session=boss_token))
    async with http(node, token) as client:
        assert (await client.post("/api/logout")).status_code == 200
    with trio.fail_after(5):
        assert await tab1.expect_close() == 1008
        assert await tab2.expect_close() == 1008
    assert node.ctx.sessions.count(token) == 0
    assert (await kept.set_status("connected"))["type"] == "ack"  # the other session works
    async with http(node, boss_token) as client:
        assert (await client.post("/api/logout")).status_code == 200
    with trio.fail_after(5):
        assert await boss.expect_close() == 1008
    with pytest.raises(ClientError):
        async with OperatorClient(node.url, session=token, reconnect=False):
            raise AssertionError("an upgrade with an ended session was accepted")


async def test_a_password_change_ends_every_socket_of_the_user_and_gives_a_new_cookie(
    node: Node,
) -> None:
    first = await http_login(node.url, "ann", PASSWORD)
    second = await http_login(node.url, "ann", PASSWORD)
    tab1 = await node.started(OperatorClient(node.url, session=first))
    tab2 = await node.started(OperatorClient(node.url, session=second))
    bob = await node.started(OperatorClient(node.url, session=await http_login(
        node.url, "bob", PASSWORD)))
    async with http(node, first) as client:
        wrong = await client.post("/api/password",
                                  json={"password": "nope", "new_password": "a new password"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
        short = await client.post("/api/password",
                                  json={"password": PASSWORD, "new_password": "short"})
        assert short.status_code == 400 and short.json()["error"]["code"] == "bad_field"
        ok = await client.post("/api/password",
                               json={"password": PASSWORD, "new_password": "a new password"})
        assert ok.status_code == 200 and ok.json()["user"]["id"] == "ann"
        fresh = ok.cookies["fd_session"]
    with trio.fail_after(5):
        assert await tab1.expect_close() == 1008
        assert await tab2.expect_close() == 1008
    assert (await bob.set_status("connected"))["type"] == "ack"  # another user: untouched
    for old in (first, second):
        async with http(node, old) as client:
            assert (await client.get("/api/me")).status_code == 401
    async with http(node, fresh) as client:
        assert (await client.get("/api/me")).json()["user"]["id"] == "ann"
    await http_login(node.url, "ann", "a new password")
