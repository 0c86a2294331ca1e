"""A file sent before a kill -9 of the primary downloads from the new primary (real
processes, loopback, synchronous replication: the upload is answered once the backup holds
the file's bytes, which cross the link before the entry naming them)."""

from __future__ import annotations

import signal

import httpx
import pytest
import trio
from failover_procs import ProcCluster, start_pair, wait_health

from frontdesk.adapters.client import VisitorClient
from tests.files import samples

pytestmark = pytest.mark.slow


async def test_a_file_sent_before_a_kill_9_downloads_from_the_new_primary(
        cluster: ProcCluster) -> None:
    a, b = await start_pair(cluster)
    image, paper = samples.png(320, 240), samples.pdf()
    async with trio.open_nursery() as nursery:
        vera = VisitorClient([a.url, b.url])
        await nursery.start(vera.run)
        ack = await vera.open("Vera", timeout=30)
        dialog, token = str(ack["dialog"]), str(ack["data"]["token"])
        sent = []
        async with httpx.AsyncClient(timeout=30.0) as http:
            for name, data in (("photo.png", image), ("paper.pdf", paper)):
                answer = await http.post(f"{a.url}/api/dialogs/{dialog}/files",
                                         data={"token": token}, files={"file": (name, data)})
                assert answer.status_code == 201, answer.text
                sent.append((answer.json()["file"], data))
            cluster.signal("a", signal.SIGKILL)  # at once: nothing more to replicate after it
            await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=30)
            for file_id, data in sent:
                got = await http.get(f"{b.url}/api/files/{file_id}", params={"token": token})
                assert got.status_code == 200, got.text
                assert got.content == data
            thumb = await http.get(f"{b.url}/api/files/{sent[0][0]}",
                                   params={"token": token, "thumbnail": "1"})
            assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
        await vera.aclose()
        nursery.cancel_scope.cancel()
