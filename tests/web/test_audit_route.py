"""``GET /api/audit`` (issue 16): managers only, the step-ins from the journal as JSON,
newest first, within ``since``/``until``; a bad bound is a 400 naming it."""

from __future__ import annotations

import httpx

from tests.web.nodes import PASSWORD, Node


async def _log_in(client: httpx.AsyncClient, login: str) -> None:
    answer = await client.post("/api/login", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 200


async def test_the_audit_lists_step_ins_for_managers_only(node: Node) -> None:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    maria = await node.manager()
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await maria.internal(dialog, "check the refund")
    await node.advance(5.0)
    await maria.say(dialog, "Hello Vera")
    await maria.operator_internal("ann", "meeting at 4")

    async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
        await _log_in(client, "maria")
        answer = await client.get("/api/audit")
        assert answer.status_code == 200
        body = answer.json()
        assert [e["action"] for e in body["entries"]] == ["operator_internal", "say", "internal"]
        first = body["entries"][-1]
        assert (first["by"], first["name"], first["dialog"], first["text"]) == (
            "maria", "Maria", dialog, "check the refund")
        since = body["entries"][1]["at"]
        later = (await client.get("/api/audit", params={"since": since})).json()
        assert [e["action"] for e in later["entries"]] == ["operator_internal", "say"]
        until = (await client.get("/api/audit", params={"until": since})).json()
        assert [e["action"] for e in until["entries"]] == ["internal"]
        bad = await client.get("/api/audit", params={"since": "yesterday"})
        assert bad.status_code == 400
        assert bad.json()["error"]["message"] == (
            "since: expected a Unix time in seconds, got 'yesterday'")
        wrong = await client.get("/api/audit", params={"since": "10", "until": "5"})
        assert wrong.status_code == 400 and "until" in wrong.json()["error"]["message"]

    async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
        await _log_in(client, "ann")
        refused = await client.get("/api/audit")
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == (
            "expected a manager's session, got an operator's")
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as anonymous:
        assert (await anonymous.get("/api/audit")).status_code == 401
