"""Predefined answers' HTTP routes on a real node: real sockets, a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.predefined import PredefinedAnswers
from frontdesk.adapters.predefined.demo import DEMO_ANSWERS
from frontdesk.engine.settings import EngineSettings
from tests.mail.test_transcript_route import logged_in
from tests.web.nodes import PASSWORD, USERS, Node, start_node


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
async def node(tmp_path: Path, accounts: Accounts) -> AsyncIterator[Node]:
    store = PredefinedAnswers(tmp_path / "accounts.sqlite3")
    store.create_many(DEMO_ANSWERS, owner=None, by="demo")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop)
        node.ctx.predefined = store
        try:
            yield node
        finally:
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    store.close()


def error_of(answer: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()["error"]
    return body


async def test_an_operator_manages_their_own_answers_and_sees_the_shared_ones(node: Node) -> None:
    async with logged_in(node, "ann") as ann, logged_in(node, "bob") as bob:
        made = await ann.post("/api/predefined/personal",
                              json={"title": "Tea", "text": "Have a tea, {visitor.name}",
                                    "shortcut": "/tea"})
        assert made.status_code == 201, made.text
        mine = made.json()
        assert mine["kind"] == "personal" and mine["shortcut"] == "tea"
        listed = (await ann.get("/api/predefined")).json()["answers"]
        assert listed[0]["title"] == "Tea"
        assert {a["shortcut"] for a in listed if a["kind"] == "shared"} >= {"hours", "hello"}
        bobs = (await bob.get("/api/predefined")).json()["answers"]
        assert all(a["kind"] == "shared" for a in bobs)
        # bob cannot touch ann's answer: it is not his, so it does not exist for him
        taken = await bob.put(f"/api/predefined/personal/{mine['id']}",
                              json={"title": "x", "text": "y"})
        assert taken.status_code == 404
        assert error_of(taken)["message"] == (
            f"answer: expected the id of one of your answers, got {mine['id']}")
        changed = await ann.put(f"/api/predefined/personal/{mine['id']}",
                                json={"title": "Tea", "text": "Coffee?", "shortcut": None})
        assert changed.status_code == 200 and changed.json()["shortcut"] is None
        assert (await ann.delete(f"/api/predefined/personal/{mine['id']}")).status_code == 204
        assert (await ann.delete(f"/api/predefined/personal/{mine['id']}")).status_code == 404
        # an operator may not manage the shared ones
        forbidden = await ann.post("/api/predefined/shared", json={"title": "x", "text": "y"})
        assert forbidden.status_code == 403 and "manager" in error_of(forbidden)["message"]


async def test_a_manager_manages_the_shared_answers(node: Node) -> None:
    async with logged_in(node, "maria") as maria:
        made = await maria.post("/api/predefined/shared",
                                json={"title": "Bells", "text": "Bells are fixed at once.",
                                      "shortcut": "bells"})
        assert made.status_code == 201, made.text
        clash = await maria.post("/api/predefined/shared",
                                 json={"title": "Bells 2", "text": "x", "shortcut": "bells"})
        assert clash.status_code == 409 and error_of(clash)["code"] == "shortcut_taken"
        shared = (await maria.get("/api/predefined/shared")).json()["answers"]
        assert "Bells" in [a["title"] for a in shared]
        answer_id = made.json()["id"]
        changed = await maria.put(f"/api/predefined/shared/{answer_id}",
                                  json={"title": "Bells", "text": "Fixed while you wait."})
        assert changed.status_code == 200 and changed.json()["changed_by"] == "maria"
        assert (await maria.delete(f"/api/predefined/shared/{answer_id}")).status_code == 204


@pytest.mark.parametrize(("body", "message"), [
    ([1], "body: expected a JSON object, got list"),
    ({"title": "t", "text": "x", "colour": "red"},
     "colour: expected one of title, text, shortcut, got an unknown field"),
    ({"text": "x"}, "title: expected text, got NoneType"),
    ({"title": "t", "text": "   "}, "text: expected text, got nothing"),
    ({"title": "t", "text": "x", "shortcut": "no way"}, "shortcut: expected 1 to 30 lower-case"),
    ({"title": "t", "text": "x" * 4001}, "text: expected at most 4000 characters, got 4001"),
])
async def test_bad_bodies_are_refused_naming_the_field(node: Node, body: object,
                                                       message: str) -> None:
    async with logged_in(node, "ann") as ann:
        answer = await ann.post("/api/predefined/personal", json=body)
        assert answer.status_code == 400, answer.text
        assert error_of(answer)["message"].startswith(message)
        assert all(a["kind"] == "shared"
                   for a in (await ann.get("/api/predefined")).json()["answers"])


async def test_without_a_session_401_and_a_bad_id_400(node: Node) -> None:
    async with httpx.AsyncClient(base_url=node.url) as anonymous:
        answer = await anonymous.get("/api/predefined")
        assert answer.status_code == 401
    async with logged_in(node, "ann") as ann:
        bad = await ann.delete("/api/predefined/personal/x1")
        assert bad.status_code == 400
        assert error_of(bad)["message"] == "answer: expected a positive whole number, got 'x1'"
        broken = await ann.post("/api/predefined/personal", content=b"{not json")
        assert broken.status_code == 400
