"""Roles are a set: an operator-and-manager reaches both pages and sockets; a page of a role
the account lacks says so (403, a link to the account's own page), never a login loop."""

from __future__ import annotations

import httpx
import trio

from frontdesk.adapters.client import ManagerClient, OperatorClient
from tests.web.nodes import PASSWORD, Node
from tests.web.test_ws_security import upgrade


def http(node: Node) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=node.url, follow_redirects=False, timeout=10)


async def _logged_in(node: Node, client: httpx.AsyncClient, login: str) -> httpx.Response:
    return await client.post("/api/login", json={"login": login, "password": PASSWORD})


async def test_an_operator_opening_the_manager_view_gets_a_page_saying_so(node: Node) -> None:
    async with http(node) as client:
        anonymous = await client.get("/manager")
        assert (anonymous.status_code, anonymous.headers["location"]) == (
            303, "/login?next=%2Fmanager")
        await _logged_in(node, client, "ann")
        page = await client.get("/manager")
        assert page.status_code == 403 and "location" not in page.headers
        assert "text/html" in page.headers["content-type"]
        assert "needs\n      the manager role; your account ann is operator." in page.text
        assert 'href="/console" data-testid="wrong-role-home"' in page.text
        assert (await client.get("/console")).status_code == 200
        client.cookies.clear()
        await _logged_in(node, client, "maria")
        console = await client.get("/console")
        assert console.status_code == 403 and 'href="/manager"' in console.text


async def test_an_operator_and_manager_reaches_both_and_works_as_both(node: Node) -> None:
    sam_user = await trio.to_thread.run_sync(
        lambda: node.accounts.create_user("sam", "Sam", ["operator", "manager"], PASSWORD))
    assert sam_user.roles == ("operator", "manager")
    async with http(node) as client:
        me = (await _logged_in(node, client, "sam")).json()["user"]
        assert me == {"id": "sam", "name": "Sam", "role": "operator",
                      "roles": ["operator", "manager"]}
        assert (await client.get("/console")).status_code == 200
        assert (await client.get("/manager")).status_code == 200
        form = await client.post("/api/login", data={"login": "sam", "password": PASSWORD})
        assert form.headers["location"] == "/console"  # the own page: it links to the other
        cookie = client.cookies["fd_session"]
    origin = (b"Origin", node.url.encode())
    as_sam = (b"Cookie", f"fd_session={cookie}".encode())
    assert await upgrade(node, "/ws/operator", [origin, as_sam]) == 101
    assert await upgrade(node, "/ws/manager", [origin, as_sam]) == 101

    operator = await node.started(await OperatorClient.logged_in(node.url, "sam", PASSWORD))
    manager = await node.started(await ManagerClient.logged_in(node.url, "sam", PASSWORD))
    await operator.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await manager.expect({"type": "dialog.assigned", "dialog": dialog, "operator": "sam"})
    snapshot = await manager.snapshot()
    assert [(d["id"], d["operator"]) for d in snapshot["dialogs"]] == [(dialog, "sam")]
