"""Survey templates' HTTP routes on a real node: real sockets, a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.surveys import SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS
from frontdesk.engine.settings import EngineSettings
from tests.mail.test_transcript_route import logged_in
from tests.web.nodes import PASSWORD, USERS, Node, start_node

QUICK = {"title": "Quick", "questions": [
    {"kind": "rating", "text": "How was it?", "required": True},
    {"kind": "single", "text": "Solved?", "options": ["Yes", "No"]}]}


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
async def node(tmp_path: Path, accounts: Accounts) -> AsyncIterator[Node]:
    store = SurveyTemplates(tmp_path / "accounts.sqlite3")
    store.create_many(DEMO_SURVEYS, by="demo")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop)
        node.ctx.surveys = store
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


async def test_a_manager_manages_templates_and_an_operator_lists_them(node: Node) -> None:
    async with logged_in(node, "maria") as maria, logged_in(node, "ann") as ann:
        made = await maria.post("/api/surveys", json=QUICK)
        assert made.status_code == 201, made.text
        quick = made.json()
        assert quick["questions"][1] == {"kind": "single", "text": "Solved?",
                                         "required": False, "options": ["Yes", "No"]}
        listed = (await ann.get("/api/surveys")).json()["surveys"]
        assert [s["title"] for s in listed] == ["Quick", "Satisfaction"]
        clash = await maria.put(f"/api/surveys/{quick['id']}",
                                json={**QUICK, "title": "satisfaction"})
        assert clash.status_code == 409 and error_of(clash)["code"] == "title_taken"
        changed = await maria.put(f"/api/surveys/{quick['id']}", json={**QUICK, "title": "Q"})
        assert changed.status_code == 200 and changed.json()["changed_by"] == "maria"
        assert (await maria.delete(f"/api/surveys/{quick['id']}")).status_code == 204
        gone = await maria.delete(f"/api/surveys/{quick['id']}")
        assert gone.status_code == 404
        expected = f"survey: expected the id of a survey, got {quick['id']}"
        assert error_of(gone)["message"] == expected
        # an operator may list, not change
        forbidden = await ann.post("/api/surveys", json=QUICK)
        assert forbidden.status_code == 403 and "manager" in error_of(forbidden)["message"]


async def test_bad_input_is_refused_and_nothing_changes(node: Node) -> None:
    async with logged_in(node, "maria") as maria:
        bad = await maria.post("/api/surveys", json={"title": "x", "questions": [
            {"kind": "single", "text": "Pick", "options": ["only"]}]})
        assert bad.status_code == 400 and error_of(bad)["code"] == "bad_survey"
        assert error_of(bad)["message"] == "questions[0].options: expected 2 to 10 options, got 1"
        broken = await maria.post("/api/surveys", content=b"{not json")
        assert broken.status_code == 400
        bad_id = await maria.put("/api/surveys/x1", json=QUICK)
        assert error_of(bad_id)["message"] == "survey: expected a positive whole number, got 'x1'"
        listed = (await maria.get("/api/surveys")).json()["surveys"]
        assert [s["title"] for s in listed] == ["Satisfaction"]
    async with httpx.AsyncClient(base_url=node.url) as anonymous:
        assert (await anonymous.get("/api/surveys")).status_code == 401
