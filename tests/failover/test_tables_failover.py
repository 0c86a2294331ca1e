"""The offline messages and the survey templates replicate: a visitor's message left while
nobody was available, a manager's "handled" mark and a survey template a manager made are on
the new primary after a kill -9 (real processes, loopback;
the rows cross the link before the journal's records that follow them, so a synchronously
replicated upload after them proves the backup holds them). The backup itself refuses to
take one (``not_primary``), as any write to a table that replicates whole: its copy is the
primary's, a row of its own would be lost."""

from __future__ import annotations

import httpx
import pytest
import trio
from failover_procs import ProcCluster
from row_tables import held_by_the_backup, kill_the_primary, log_in, start_replicated

pytestmark = pytest.mark.slow

ADA = {"name": "Ada", "email": "ada@example.com", "message": "Do you ship to Lyon?"}
BO = {"name": "Bo", "email": "bo@example.com", "message": "Open on Sunday?"}
SURVEY = {"title": "After the repair", "questions": [
    {"kind": "rating", "text": "How was the repair?", "required": True},
    {"kind": "single", "text": "Ride again?", "options": ["Yes", "No"]}]}


async def test_offline_messages_and_survey_templates_survive_a_kill_9(cluster: ProcCluster) -> None:
    a, b = await start_replicated(cluster)
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            refused = await on_b.post("/api/offline", json=BO)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "not_primary"
            # so is a write to any table that replicates whole (web/primary_writes.py)
            for path in ("/api/knowledge/articles", "/api/predefined/shared", "/api/gallery",
                         "/api/surveys", "/api/offline/messages/1/handled"):
                other = await on_b.post(path, json={})
                assert (other.status_code, other.json()["error"]["code"]) == (
                    503, "not_primary"), (path, other.text)
            assert (await on_b.get("/api/availability")).status_code == 200  # reads are served
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            ada = await on_a.post("/api/offline", json=ADA)
            bo = await on_a.post("/api/offline", json=BO)
            assert ada.status_code == bo.status_code == 201, (ada.text, bo.text)
            await log_in(on_a)
            marked = await on_a.post(f"/api/offline/messages/{ada.json()['id']}/handled")
            assert marked.status_code == 200, marked.text
            made = await on_a.post("/api/surveys", json=SURVEY)
            assert made.status_code == 201, made.text
            vera = await held_by_the_backup(on_a, a, b, nursery)
        await kill_the_primary(cluster, b)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            await log_in(on_b)
            listed = (await on_b.get("/api/offline/messages")).json()["messages"]
            assert [(m["id"], m["name"], m["handled_by"]) for m in listed] == [
                (bo.json()["id"], "Bo", ""), (ada.json()["id"], "Ada", "maria")]
            surveys = (await on_b.get("/api/surveys")).json()["surveys"]
            assert [s for s in surveys if s["id"] == made.json()["id"]] == [made.json()]
            after = await on_b.post("/api/offline", json={**ADA, "message": "Still there?"})
            assert after.status_code == 201 and after.json()["id"] > bo.json()["id"]
        await vera.aclose()
        nursery.cancel_scope.cancel()
