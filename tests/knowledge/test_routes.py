"""The knowledge base's HTTP routes on a real node: real sockets, a real SQLite knowledge base."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.knowledge import KnowledgeBase
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES
from frontdesk.engine.settings import EngineSettings
from tests.mail.test_transcript_route import logged_in
from tests.web.nodes import PASSWORD, USERS, Node, start_node

ARTICLE = {"title": "Bell repair", "questions": ["My bell is broken", "Can you fix a bell?"],
           "answer": "Bring it in: bells are fixed **while you wait**.", "tags": ["repairs"]}


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "accounts.sqlite3", hashing=PasswordHashing.cheap())
    for login, name, role in USERS:
        accounts.create_user(login, name, role, PASSWORD)  # type: ignore[arg-type]
    return accounts


@pytest.fixture
async def kb_node(tmp_path: Path, accounts: Accounts) -> AsyncIterator[Node]:
    kb = KnowledgeBase(tmp_path / "accounts.sqlite3")
    kb.create_many(DEMO_ARTICLES, by="demo")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop)
        node.ctx.knowledge = kb
        try:
            yield node
        finally:
            stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    kb.close()


def error_of(answer: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()["error"]
    return body


async def test_an_operator_searches_and_gets_ranked_hits_with_snippets(kb_node: Node) -> None:
    async with logged_in(kb_node, "ann") as http:
        answer = await http.get("/api/knowledge/search", params={"q": "are you open on Sunday?"})
        assert answer.status_code == 200, answer.text
        hits = answer.json()["hits"]
        assert hits[0]["title"] == "Opening hours" and len(hits) <= 5
        assert "Monday to Saturday" in hits[0]["snippet"]
        assert "<strong>" in hits[0]["answer_html"] and hits[0]["score"] > 0
        two = await http.get("/api/knowledge/search", params={"q": "shipping", "limit": "2"})
        assert len(two.json()["hits"]) == 2
        for hostile in ('"NEAR(* -', "bike " * 2000, "the"):
            got = await http.get("/api/knowledge/search", params={"q": hostile})
            assert got.status_code == 200 and isinstance(got.json()["hits"], list)
        surrogate = await http.get("/api/knowledge/search?q=%ED%A0%80%FF")  # not UTF-8
        assert surrogate.status_code in (200, 400), surrogate.text
        long = await http.get("/api/knowledge/search", params={"q": "x" * 10_001})
        assert long.status_code == 400 and "expected at most" in error_of(long)["message"]
        none = await http.get("/api/knowledge/search")
        assert none.status_code == 400 and error_of(none)["message"].startswith("q: expected")
        bad = await http.get("/api/knowledge/search", params={"q": "hi", "limit": "99"})
        assert bad.status_code == 400 and "got '99'" in error_of(bad)["message"]


async def test_without_a_session_401_and_an_operator_may_not_manage_403(kb_node: Node) -> None:
    async with httpx.AsyncClient(base_url=kb_node.url) as anonymous:
        answer = await anonymous.get("/api/knowledge/search", params={"q": "hours"})
        assert answer.status_code == 401 and error_of(answer)["code"] == "no_session"
        assert (await anonymous.get("/api/knowledge/articles")).status_code == 401
    async with logged_in(kb_node, "ann") as http:
        for method, path in (("GET", "/api/knowledge/articles"),
                             ("POST", "/api/knowledge/articles"),
                             ("PUT", "/api/knowledge/articles/1"),
                             ("DELETE", "/api/knowledge/articles/1"),
                             ("GET", "/api/knowledge/export"),
                             ("POST", "/api/knowledge/import")):
            got = await http.request(method, path, json=ARTICLE)
            assert got.status_code == 403, (method, path, got.text)
            assert "expected a manager's session" in error_of(got)["message"]
    assert len(kb_node.ctx.knowledge.articles()) == len(DEMO_ARTICLES)  # type: ignore[union-attr]


async def test_a_manager_creates_edits_and_deletes_an_article_found_at_once(
        kb_node: Node) -> None:
    async with logged_in(kb_node, "maria") as http:
        made = await http.post("/api/knowledge/articles", json=ARTICLE)
        assert made.status_code == 201, made.text
        article = made.json()
        assert (article["title"], article["changed_by"], article["enabled"]) == (
            "Bell repair", "maria", True)
        async with logged_in(kb_node, "ann") as ann:
            found = await ann.get("/api/knowledge/search", params={"q": "my bell broke"})
            assert found.json()["hits"][0]["id"] == article["id"]
        changed = await http.put(f"/api/knowledge/articles/{article['id']}",
                                 json={**ARTICLE, "title": "Bells", "enabled": False})
        assert changed.status_code == 200 and changed.json()["title"] == "Bells"
        read = await http.get(f"/api/knowledge/articles/{article['id']}")
        assert read.json()["enabled"] is False
        hidden = await http.get("/api/knowledge/search", params={"q": "bell"})
        assert article["id"] not in [h["id"] for h in hidden.json()["hits"]]
        listed = (await http.get("/api/knowledge/articles")).json()["articles"]
        assert [a["title"] for a in listed][-1] == "Bells"
        gone = await http.delete(f"/api/knowledge/articles/{article['id']}")
        assert gone.status_code == 204
        again = await http.delete(f"/api/knowledge/articles/{article['id']}")
        assert again.status_code == 404 and error_of(again)["code"] == "no_article"
        missing = await http.put("/api/knowledge/articles/9999", json=ARTICLE)
        assert missing.status_code == 404


async def test_bad_articles_are_refused_naming_the_field_and_nothing_changes(
        kb_node: Node) -> None:
    cases = [
        ({**ARTICLE, "title": ""}, "title: expected text, got nothing"),
        ({**ARTICLE, "questions": "one"}, "questions: expected an array of text, got str"),
        ({**ARTICLE, "questions": []}, "questions: expected at least one question"),
        ({**ARTICLE, "tags": ["Not A Tag"]}, "tags[0]: expected lower-case letters"),
        ({**ARTICLE, "enabled": "yes"}, "enabled: expected true or false, got 'yes'"),
        ({**ARTICLE, "colour": "red"}, "colour: expected one of title, questions"),
        ({**ARTICLE, "answer": 5}, "answer: expected text, got int"),
        ([ARTICLE], "body: expected a JSON object, got list"),
    ]
    async with logged_in(kb_node, "maria") as http:
        for body, message in cases:
            got = await http.post("/api/knowledge/articles", json=body)
            assert got.status_code == 400, (body, got.text)
            assert error_of(got)["message"].startswith(message), got.text
        raw = await http.post("/api/knowledge/articles", content=b"{not json",
                              headers={"content-type": "text/plain"})
        assert raw.status_code == 400 and error_of(raw)["code"] == "bad_json"
        surrogate = await http.post("/api/knowledge/articles",
                                    content=b'{"title": "\\ud800", "questions": ["q"], '
                                            b'"answer": "a"}',
                                    headers={"content-type": "text/plain"})
        assert surrogate.status_code == 400 and "title" in error_of(surrogate)["message"]
        bad_id = await http.get("/api/knowledge/articles/abc")
        assert bad_id.status_code == 400 and "got 'abc'" in error_of(bad_id)["message"]
    assert len(kb_node.ctx.knowledge.articles()) == len(DEMO_ARTICLES)  # type: ignore[union-attr]


async def test_a_manager_exports_and_imports_json_and_csv(kb_node: Node) -> None:
    async with logged_in(kb_node, "maria") as http:
        as_json = await http.get("/api/knowledge/export", params={"format": "json"})
        assert as_json.status_code == 200
        assert as_json.headers["content-disposition"] == 'attachment; filename="knowledge.json"'
        assert len(as_json.json()) == len(DEMO_ARTICLES)
        as_csv = await http.get("/api/knowledge/export", params={"format": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_csv.text.startswith("title,questions,answer,tags,enabled\n")
        imported = await http.post("/api/knowledge/import", params={"format": "csv"},
                                   content=as_csv.content)
        assert imported.status_code == 201, imported.text
        assert imported.json()["imported"] == len(DEMO_ARTICLES)
        again = await http.post("/api/knowledge/import", params={"format": "json"},
                                content=as_json.content,
                                headers={"content-type": "application/json"})
        assert again.status_code == 201 and again.json()["imported"] == len(DEMO_ARTICLES)
        bad_format = await http.get("/api/knowledge/export", params={"format": "xml"})
        assert bad_format.status_code == 400
        assert error_of(bad_format)["message"] == "format: expected json or csv, got 'xml'"
    assert len(kb_node.ctx.knowledge.articles()) == 3 * len(DEMO_ARTICLES)  # type: ignore[union-attr]


async def test_a_bad_import_names_line_and_field_and_imports_nothing(kb_node: Node) -> None:
    csv_text = ("title,questions,answer,tags,enabled\n"
                "Good,Is it good?,Yes.,,true\n"
                "\"Bad\",\"\",No questions,,true\n"
                "Worse,Why?,Because.,,maybe\n")
    async with logged_in(kb_node, "maria") as http:
        got = await http.post("/api/knowledge/import", params={"format": "csv"},
                              content=csv_text.encode())
        assert got.status_code == 400, got.text
        error = error_of(got)
        assert error["code"] == "import_refused"
        assert [(p["line"], p["field"]) for p in error["problems"]] == [
            (3, "questions"), (4, "enabled")]
        not_utf8 = await http.post("/api/knowledge/import", params={"format": "csv"},
                                   content=b"title\xff")
        assert not_utf8.status_code == 400 and "UTF-8" in error_of(not_utf8)["message"]
        big = await http.post("/api/knowledge/import", params={"format": "csv"},
                              content=b"x" * (1024 * 1024 + 1))
        assert big.status_code == 413
        not_array = await http.post("/api/knowledge/import", content=b'{"title": "x"}',
                                    headers={"content-type": "application/json"})
        assert not_array.status_code == 400
        assert error_of(not_array)["problems"][0]["message"].startswith("expected a JSON array")
    assert len(kb_node.ctx.knowledge.articles()) == len(DEMO_ARTICLES)  # type: ignore[union-attr]


async def test_an_operator_gets_the_articles_related_to_one_itself_left_out(kb_node: Node) -> None:
    async with logged_in(kb_node, "ann") as http:
        hits = (await http.get("/api/knowledge/search", params={"q": "shipping costs"})).json()
        costs = next(h for h in hits["hits"] if h["title"] == "Shipping costs")
        answer = await http.get(f"/api/knowledge/articles/{costs['id']}/related")
        assert answer.status_code == 200, answer.text
        titles = [h["title"] for h in answer.json()["hits"]]
        assert "Shipping costs" not in titles and "Shipping times" in titles[:3]
        assert len(titles) <= 5 and all("snippet" in h for h in answer.json()["hits"])
        two = await http.get(f"/api/knowledge/articles/{costs['id']}/related",
                             params={"limit": "2"})
        assert len(two.json()["hits"]) == 2
        missing = await http.get("/api/knowledge/articles/99999/related")
        assert missing.status_code == 404 and error_of(missing)["code"] == "no_article"
        bad = await http.get("/api/knowledge/articles/x1/related")
        assert bad.status_code == 400 and error_of(bad)["code"] == "bad_article_id"
        wrong = await http.get(f"/api/knowledge/articles/{costs['id']}/related",
                               params={"limit": "0"})
        assert wrong.status_code == 400 and "limit: expected" in error_of(wrong)["message"]
    async with httpx.AsyncClient(base_url=kb_node.url) as anonymous:
        nobody = await anonymous.get(f"/api/knowledge/articles/{costs['id']}/related")
        assert nobody.status_code == 401


async def test_an_account_that_is_operator_and_manager_may_manage(
    kb_node: Node, accounts: Accounts,
) -> None:
    accounts.create_user("mo", "Mo", ("operator", "manager"), PASSWORD)
    async with logged_in(kb_node, "mo") as http:
        listed = await http.get("/api/knowledge/articles")
        assert listed.status_code == 200, listed.text
        made = await http.post("/api/knowledge/articles", json=ARTICLE)
        assert made.status_code == 201 and made.json()["changed_by"] == "mo"
