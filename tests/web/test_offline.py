"""Availability and offline messages over real HTTP: the answer of GET /api/availability,
every bad input of POST /api/offline refused with a clear error, the per-address limit,
and the manager's list (mark handled)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.offline import OfflineMessages
from frontdesk.config.hours import OpeningHours
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import PASSWORD, Node, start_node

CLOSED = OpeningHours.parse("Europe/Paris", dict.fromkeys(
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), ""))
# the node's ManualClock starts at 1_700_000_000: Tuesday 2023-11-14 23:13 in Paris
WEEKDAYS_FROM_9 = OpeningHours.parse("Europe/Paris", {
    "mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00",
    "fri": "09:00-17:00", "sat": "", "sun": ""})
GOOD = {"name": "Ada", "email": "ada@example.com", "message": "Do you ship to Lyon?"}


@pytest.fixture
def node_options() -> dict[str, Any]:
    return {"offline_per_address_per_hour": 2}


@pytest.fixture
async def offline_node(tmp_path: Path, accounts: Accounts, node_options: dict[str, Any]
                       ) -> AsyncIterator[Node]:
    store = OfflineMessages(tmp_path / "offline.sqlite3")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options=node_options,
                                settings=EngineSettings(initial_operator_status="connected"),
                                nursery=nursery, stop=stop, offline=store)
        try:
            yield node
        finally:
            for client in node.clients:
                await client.aclose()
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    store.close()


async def post(node: Node, body: bytes | str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=node.url) as http:
        return await http.post("/api/offline", content=body,
                               headers={"content-type": "text/plain", **headers})


async def test_availability_follows_the_hours_and_the_operators(offline_node: Node) -> None:
    async with httpx.AsyncClient(base_url=offline_node.url) as http:
        first = (await http.get("/api/availability")).json()
        assert first["open"] is False and first["reason"] == "no_operator"
        assert first["in_hours"] is True and first["next_opening"] is None
        await offline_node.operator("ann")  # Connected, with room
        await offline_node.settle()
        cached = await http.get("/api/availability")  # one answer a second serves everyone
        assert cached.json()["open"] is False
        await offline_node.advance(1.0)
        answer = await http.get("/api/availability")
        assert answer.json()["open"] is True and answer.json()["reason"] is None
        assert answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("node_options", [{"opening_hours": WEEKDAYS_FROM_9}])
async def test_outside_the_hours_it_is_closed_and_says_when_it_opens(offline_node: Node
                                                                     ) -> None:
    await offline_node.operator("ann")
    async with httpx.AsyncClient(base_url=offline_node.url) as http:
        body = (await http.get("/api/availability")).json()
    assert body["open"] is False and body["reason"] == "closed"
    assert body["next_opening_local"] == "2023-11-15T09:00+01:00"
    assert body["next_opening"] == 1_700_035_200.0  # 08:00 UTC
    assert body["time_zone"] == "Europe/Paris"


@pytest.mark.parametrize(("body", "code", "says"), [
    (b"not json", "bad_json", "expected a JSON object, got invalid JSON"),
    (b"[1]", "bad_json", "expected a JSON object {name, email, message}, got list"),
    (b'{"name": "Ada", "message": "hi"}', "bad_email", "email: expected a string, got nothing"),
    (b'{"name": "Ada", "email": "ada-at-example", "message": "hi"}', "bad_email",
     "email: expected an e-mail address like ada@example.com, got 'ada-at-example'"),
    (b'{"name": " ", "email": "ada@example.com", "message": "hi"}', "bad_name",
     "name: expected 1-100 printable characters, got 0"),
    (b'{"name": "Ada", "email": "ada@example.com", "message": 5}', "bad_message",
     "message: expected a string, got int"),
    ('{"name": "Ada", "email": "ada@example.com", "message": "' + "x" * 4001 + '"}',
     "bad_message", "message: expected 1-4000 characters, got 4001"),
    (b'{"name": "Ada", "email": "a@b.example", "message": "hi", "admin": true}', "bad_admin",
     "expected the fields name, email and message, got also admin"),
])
async def test_bad_input_is_refused_naming_what_was_expected(
        offline_node: Node, body: bytes | str, code: str, says: str) -> None:
    answer = await post(offline_node, body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] in (code, "bad_json") and says in error["message"], error
    assert offline_node.ctx.offline is not None and offline_node.ctx.offline.listed() == []


async def test_a_foreign_origin_is_refused(offline_node: Node) -> None:
    answer = await post(offline_node, b"{}", origin="https://evil.example")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden_origin"


async def test_per_address_limit_then_the_window_moves_on(offline_node: Node) -> None:
    for _ in range(2):
        assert (await post(offline_node, json.dumps(GOOD))).status_code == 201
    refused = await post(offline_node, json.dumps(GOOD))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many"
    assert "at most 2 offline messages an hour from one address: try again in 60 min" in \
        refused.json()["error"]["message"]
    assert refused.headers["retry-after"] == "3600"
    offline_node.clock.advance(3601)
    assert (await post(offline_node, json.dumps(GOOD))).status_code == 201


async def test_managers_list_and_mark_handled(offline_node: Node) -> None:
    made = (await post(offline_node, json.dumps(GOOD))).json()
    assert made["received"] is True and made["mailed"] is False  # no notify address
    async with httpx.AsyncClient(base_url=offline_node.url) as anonymous:
        assert (await anonymous.get("/api/offline/messages")).status_code == 401
    async with httpx.AsyncClient(base_url=offline_node.url) as ann:
        await ann.post("/api/login", json={"login": "ann", "password": PASSWORD})
        assert (await ann.get("/api/offline/messages")).status_code == 403
    async with httpx.AsyncClient(base_url=offline_node.url) as maria:
        await maria.post("/api/login", json={"login": "maria", "password": PASSWORD})
        listed = (await maria.get("/api/offline/messages")).json()["messages"]
        assert [(m["id"], m["name"], m["email"], m["handled"]) for m in listed] == [
            (made["id"], "Ada", "ada@example.com", False)]
        bad = await maria.post("/api/offline/messages/abc/handled")
        assert bad.status_code == 400 and "expected a message id like 12" in bad.text
        assert (await maria.post("/api/offline/messages/999/handled")).status_code == 404
        marked = (await maria.post(f"/api/offline/messages/{made['id']}/handled")).json()
        assert marked["message"]["handled"] is True
        assert marked["message"]["handled_by"] == "maria"
