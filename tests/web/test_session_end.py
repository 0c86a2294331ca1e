"""Ending a session ends its sockets (issue 12 finding 5): logout and password change.

After ``POST /api/logout`` the session's open operator and manager sockets were left
working. Now each is closed with 1008 ("session ended"), and a new upgrade with the old
cookie is refused; another session of the same user is left alone by a logout.
"""

from __future__ import annotations

import httpx
import pytest
import trio

from adapters.client import ClientError, ManagerClient, OperatorClient
from adapters.client.http import login as http_login
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
