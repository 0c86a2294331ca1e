"""Predefined answers replicate: a shared answer and a personal one created and changed on the
primary are there (and the deleted one gone) on the new primary after a kill -9, with their
ids, kinds, shortcuts, authors and times (real processes, loopback; the answers cross the
link before the journal records that follow them, so a synchronously replicated upload after
them proves the backup holds them)."""

from __future__ import annotations

import httpx
import pytest
import trio
from failover_procs import ProcCluster
from row_tables import held_by_the_backup, kill_the_primary, log_in, start_replicated

pytestmark = pytest.mark.slow

HOURS = {"title": "Opening hours", "text": "Hi {visitor.name}, we open at 9.", "shortcut": "hours"}
MINE = {"title": "My hello", "text": "Hello, I'm {operator.name}.", "shortcut": "hi"}
OLD = {"title": "Old one", "text": "Soon gone.", "shortcut": None}


async def test_predefined_answers_survive_a_kill_9_of_the_primary(cluster: ProcCluster) -> None:
    a, b = await start_replicated(cluster)
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            await log_in(on_a)
            shared = await on_a.post("/api/predefined/shared", json=HOURS)
            mine = await on_a.post("/api/predefined/personal", json=MINE)
            old = await on_a.post("/api/predefined/personal", json=OLD)
            assert shared.status_code == mine.status_code == old.status_code == 201, (
                shared.text, mine.text, old.text)
            changed = await on_a.put(f"/api/predefined/shared/{shared.json()['id']}",
                                     json={**HOURS, "text": "Hi {visitor.name}, nine to six."})
            assert changed.status_code == 200, changed.text
            deleted = await on_a.delete(f"/api/predefined/personal/{old.json()['id']}")
            assert deleted.status_code == 204, deleted.text
            before = (await on_a.get("/api/predefined")).json()["answers"]
            vera = await held_by_the_backup(on_a, a, b, nursery)
        await kill_the_primary(cluster, b)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            await log_in(on_b)
            after = (await on_b.get("/api/predefined")).json()["answers"]
            assert after == before
            assert [(x["kind"], x["title"], x["shortcut"]) for x in after] == [
                ("personal", "My hello", "hi"), ("shared", "Opening hours", "hours")]
            assert after[1]["text"] == "Hi {visitor.name}, nine to six."
            # the new primary goes on: a new answer gets a new id, a taken shortcut is refused
            made = await on_b.post("/api/predefined/personal", json=OLD)
            assert made.status_code == 201 and made.json()["id"] > old.json()["id"]
            taken = await on_b.post("/api/predefined/shared", json=HOURS)
            assert taken.status_code == 409, taken.text
        await vera.aclose()
        nursery.cancel_scope.cancel()
