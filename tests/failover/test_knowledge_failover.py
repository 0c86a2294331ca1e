"""The knowledge base replicates: articles a manager created and changed on the primary are
there (and the deleted one gone) on the new primary after a kill -9, and its search finds
them (real processes, loopback; the articles cross the link before the journal records
that follow them, so a synchronously replicated upload after them proves the backup holds
them)."""

from __future__ import annotations

import signal

import httpx
import pytest
import trio
from failover_procs import ProcCluster, wait_health
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.client import VisitorClient

pytestmark = pytest.mark.slow

BELL = {"title": "Bell repair", "questions": ["My bell is broken"],
        "answer": "Bells are fixed **while you wait**.", "tags": ["repairs"]}
HORN = {"title": "Horns", "questions": ["Do you sell horns?"], "answer": "No.", "tags": []}


async def test_articles_survive_a_kill_9_of_the_primary(cluster: ProcCluster) -> None:
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    for node in (a, b):
        prepare_accounts(node.data_dir)
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            login = await on_a.post("/api/login", json={"login": "maria", "password": PASSWORD})
            assert login.status_code == 200, login.text
            kept = await on_a.post("/api/knowledge/articles", json=BELL)
            gone = await on_a.post("/api/knowledge/articles", json=HORN)
            assert kept.status_code == gone.status_code == 201, (kept.text, gone.text)
            changed = await on_a.put(f"/api/knowledge/articles/{kept.json()['id']}",
                                     json={**BELL, "title": "Bell and horn repair"})
            assert changed.status_code == 200, changed.text
            deleted = await on_a.delete(f"/api/knowledge/articles/{gone.json()['id']}")
            assert deleted.status_code == 204, deleted.text
            vera = VisitorClient([a.url, b.url])
            await nursery.start(vera.run)
            ack = await vera.open("Vera", timeout=30)
            upload = await on_a.post(f"/api/dialogs/{ack['dialog']}/files",
                                     data={"token": ack["data"]["token"]},
                                     files={"file": ("after.txt", b"after the articles\n")})
            assert upload.status_code == 201, upload.text  # the backup holds all before it
        cluster.signal("a", signal.SIGKILL)
        await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            login = await on_b.post("/api/login", json={"login": "maria", "password": PASSWORD})
            assert login.status_code == 200, login.text
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
