"""The gallery replicates: items a manager added (and the one deleted) on the primary are
there (and gone) on the new primary after a kill -9 (real processes, loopback; the items
cross the link before the journal records that follow them, so a synchronously replicated
upload after them proves the backup holds them)."""

from __future__ import annotations

import signal

import httpx
import pytest
import trio
from failover_procs import ProcCluster, wait_health
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.client import VisitorClient
from tests.files import samples

pytestmark = pytest.mark.slow


async def test_gallery_items_survive_a_kill_9_of_the_primary(cluster: ProcCluster) -> None:
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    for node in (a, b):
        prepare_accounts(node.data_dir)
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    image, paper = samples.png(240, 120), samples.pdf()
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            login = await on_a.post("/api/login", json={"login": "maria", "password": PASSWORD})
            assert login.status_code == 200, login.text
            kept = await on_a.post("/api/gallery", data={"name": "Opening hours"},
                                   files={"file": ("hours.png", image)})
            gone = await on_a.post("/api/gallery", data={"name": "Old form"},
                                   files={"file": ("old.pdf", paper)})
            assert kept.status_code == gone.status_code == 201, (kept.text, gone.text)
            renamed = await on_a.patch(f"/api/gallery/{kept.json()['item']}",
                                       json={"name": "Opening hours 2027"})
            assert renamed.status_code == 200, renamed.text
            deleted = await on_a.delete(f"/api/gallery/{gone.json()['item']}")
            assert deleted.status_code in (200, 204), deleted.text
            vera = VisitorClient([a.url, b.url])
            await nursery.start(vera.run)
            ack = await vera.open("Vera", timeout=30)
            upload = await on_a.post(f"/api/dialogs/{ack['dialog']}/files",
                                     data={"token": ack["data"]["token"]},
                                     files={"file": ("after.txt", b"after the gallery\n")})
            assert upload.status_code == 201, upload.text  # the backup holds all before it
        cluster.signal("a", signal.SIGKILL)
        await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            login = await on_b.post("/api/login", json={"login": "maria", "password": PASSWORD})
            assert login.status_code == 200, login.text
            listed = await on_b.get("/api/gallery")
            assert [(i["item"], i["name"]) for i in listed.json()["items"]] == [
                (kept.json()["item"], "Opening hours 2027")]
            got = await on_b.get(f"/api/gallery/{kept.json()['item']}/content")
            assert got.status_code == 200 and got.content == image
            thumb = await on_b.get(f"/api/gallery/{kept.json()['item']}/content",
                                   params={"thumbnail": "1"})
            assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
        await vera.aclose()
        nursery.cancel_scope.cancel()
