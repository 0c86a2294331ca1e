"""The steps the tables' failover tests share (knowledge, predefined answers, offline
messages, survey templates): a replicated pair with the test accounts on both nodes, a
manager's session, and the barrier that proves the backup holds the tables' rows — they
cross the link before the journal records that follow them, so a synchronously replicated
upload after them is answered only once the backup has them — then the primary killed."""

from __future__ import annotations

import signal

import httpx
import trio
from failover_procs import NodeProc, ProcCluster, wait_health
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.client import VisitorClient


async def start_replicated(cluster: ProcCluster) -> tuple[NodeProc, NodeProc]:
    """Primary a and backup b, both with the test accounts, b caught up."""
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    for node in (a, b):
        prepare_accounts(node.data_dir)
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    return a, b


async def log_in(http: httpx.AsyncClient, login: str = "maria") -> None:
    answer = await http.post("/api/login", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 200, answer.text


async def held_by_the_backup(on_a: httpx.AsyncClient, a: NodeProc, b: NodeProc,
                             nursery: trio.Nursery) -> VisitorClient:
    """Once this returns, the backup holds every row written on ``a`` before; the visitor
    it opened a dialog with is the caller's to close."""
    vera = VisitorClient([a.url, b.url])
    await nursery.start(vera.run)
    ack = await vera.open("Vera", timeout=30)
    upload = await on_a.post(f"/api/dialogs/{ack['dialog']}/files",
                             data={"token": ack["data"]["token"]},
                             files={"file": ("after.txt", b"after the rows\n")})
    assert upload.status_code == 201, upload.text
    return vera


async def kill_the_primary(cluster: ProcCluster, b: NodeProc) -> None:
    cluster.signal("a", signal.SIGKILL)
    await wait_health(b, lambda h: h["role"] == "primary" and h["ready"], timeout=60)
