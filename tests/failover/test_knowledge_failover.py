"""The knowledge base replicates: articles a manager created and changed on the primary are
there (and the deleted one gone) on the new primary after a kill -9, and its search finds
them (real processes, loopback; the articles cross the link before the journal records
that follow them, so a synchronously replicated upload after them proves the backup holds
them)."""

from __future__ import annotations

import httpx
import pytest
import trio
from failover_procs import ProcCluster
from row_tables import held_by_the_backup, kill_the_primary, log_in, start_replicated

pytestmark = pytest.mark.slow

BELL = {"title": "Bell repair", "questions": ["My bell is broken"],
        "answer": "Bells are fixed **while you wait**.", "tags": ["repairs"]}
HORN = {"title": "Horns", "questions": ["Do you sell horns?"], "answer": "No.", "tags": []}


async def test_articles_survive_a_kill_9_of_the_primary(cluster: ProcCluster) -> None:
    a, b = await start_replicated(cluster)
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            await log_in(on_a)
            kept = await on_a.post("/api/knowledge/articles", json=BELL)
            gone = await on_a.post("/api/knowledge/articles", json=HORN)
            assert kept.status_code == gone.status_code == 201, (kept.text, gone.text)
            changed = await on_a.put(f"/api/knowledge/articles/{kept.json()['id']}",
                                     json={**BELL, "title": "Bell and horn repair"})
            assert changed.status_code == 200, changed.text
            deleted = await on_a.delete(f"/api/knowledge/articles/{gone.json()['id']}")
            assert deleted.status_code == 204, deleted.text
            vera = await held_by_the_backup(on_a, a, b, nursery)
        await kill_the_primary(cluster, b)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            await log_in(on_b)
            listed = (await on_b.get("/api/knowledge/articles")).json()["articles"]
            assert [(x["id"], x["title"], x["changed_by"]) for x in listed] == [
                (kept.json()["id"], "Bell and horn repair", "maria")]
            assert listed[0]["changed_at"] == changed.json()["changed_at"]
            hits = (await on_b.get("/api/knowledge/search",
                                   params={"q": "my bell broke"})).json()["hits"]
            assert [h["title"] for h in hits] == ["Bell and horn repair"]
            made = await on_b.post("/api/knowledge/articles", json=HORN)
            assert made.status_code == 201 and made.json()["id"] > kept.json()["id"]
        await vera.aclose()
        nursery.cancel_scope.cancel()
