"""The client against a real node: login errors, a list of node URLs with a dead one first."""

from __future__ import annotations

import pytest
import trio

from frontdesk.adapters.client import (
    Backoff,
    LoginFailedError,
    OperatorClient,
    VisitorClient,
    get_json,
)
from tests.web.nodes import Node


async def dead_url() -> str:
    sock = trio.socket.socket()
    await sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


async def test_a_wrong_password_raises_login_failed(node: Node) -> None:
    with pytest.raises(LoginFailedError) as failed:
        await OperatorClient.logged_in(node.url, "ann", "not the password")
    assert failed.value.status == 401 and "wrong login or password" in str(failed.value)


async def test_the_client_moves_on_to_the_next_node_url(node: Node) -> None:
    vera = VisitorClient([await dead_url(), node.url], backoff=Backoff(base_s=0.01))
    await node.started(vera)
    assert vera.url == node.url
    assert (await vera.open("Vera"))["type"] == "ack"


async def test_get_json_reads_healthz(node: Node) -> None:
    health = await get_json(node.url + "/healthz")
    assert health["ready"] is True and health["role"] == "primary"
