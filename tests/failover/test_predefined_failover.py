"""Predefined answers replicate: a shared answer and a personal one created and changed on the
primary are there (and the deleted one gone) on the new primary after a kill -9, with their
ids, kinds, shortcuts, authors and times (real processes, loopback; the answers cross the
link before the journal records that follow them, so a synchronously replicated upload after
them proves the backup holds them)."""

from __future__ import annotations

import signal

import httpx
import pytest
import trio
from failover_procs import ProcCluster, wait_health
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.client import VisitorClient

pytestmark = pytest.mark.slow

HOURS = {"title": "Opening hours", "text": "Hi {visitor.name}, we open at 9.", "shortcut": "hours"}
MINE = {"title": "My hello", "text": "Hello, I'm {operator.name}.", "shortcut": "hi"}
OLD = {"title": "Old one", "text": "Soon gone.", "shortcut": None}


async def test_predefined_answers_survive_a_kill_9_of_the_primary(cluster: ProcCluster) -> None:
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
            vera = VisitorClient([a.url, b.url])
            await nursery.start(vera.run)
            ack = await vera.open("Vera", timeout=30)
            upload = await on_a.post(f"/api/dialogs/{ack['dialog']}/files",
                                     data={"token": ack["data"]["token"]},
                                     files={"file": ("after.txt", b"after the answers\n")})
            assert upload.status_code == 201, upload.text  # the backup holds all before it
        cluster.signal("a", signal.SIGKILL)
        await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            login = await on_b.post("/api/login", json={"login": "maria", "password": PASSWORD})
            assert login.status_code == 200, login.text
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
