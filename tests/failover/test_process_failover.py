"""Real processes, loopback only: kill -9 the primary under load, SIGSTOP it past its lease."""

from __future__ import annotations

import argparse
import json
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
import trio
from failover_procs import ProcCluster, health, start_pair, wait_health

from frontdesk.adapters.client import Backoff, UpgradeRefusedError, VisitorClient
from frontdesk.adapters.replication import commands
from frontdesk.adapters.storage import SqlJournal

pytestmark = pytest.mark.slow

DIALOGS = 50
PACE_S = 0.1  # each visitor says at most ~10 messages/s (the server's limit is 20/s)


def messages_in(journal_path: Path) -> dict[str, list[tuple[int, str]]]:
    """Per dialog, the (seq, text) of every message in the journal, in journal order."""
    journal = SqlJournal(journal_path)
    try:
        found: dict[str, list[tuple[int, str]]] = {}
        for r in journal.read():
            if r.type == "dialog.message":
                found.setdefault(r.stream.removeprefix("dialog:"), []).append(
                    (int(r.data["seq"]), str(r.data["text"]))
                )
        return found
    finally:
        journal.close()


@pytest.mark.alone  # its failover bound is real time
async def test_kill_9_the_primary_under_load(cluster: ProcCluster) -> None:
    a, b = await start_pair(cluster)
    urls = [a.url, b.url]
    acked: dict[str, list[tuple[int, str]]] = {}
    counts = [0] * DIALOGS
    killed = trio.Event()
    after_kill = [0] * DIALOGS
    stop = trio.Event()
    progress = [trio.Event()]

    async def until(predicate: object, timeout: float) -> None:
        with trio.fail_after(timeout):
            while not predicate():  # type: ignore[operator]
                await progress[0].wait()
                progress[0] = trio.Event()

    async def visitor(i: int, client: VisitorClient) -> None:
        ack = await client.open(f"visitor {i}", timeout=30)
        dialog = str(ack["dialog"])
        acked[dialog] = []
        n = 0
        while not stop.is_set():
            text = f"v{i} message {n}"
            got = await client.say(text, timeout=30)
            acked[dialog].append((int(got["seq"]), text))
            counts[i] += 1
            if killed.is_set():
                after_kill[i] += 1
            n += 1
            progress[0].set()
            await trio.sleep(PACE_S)

    async with trio.open_nursery() as nursery:
        clients = []
        for _ in range(DIALOGS):
            client = VisitorClient(urls)
            await nursery.start(client.run)
            clients.append(client)
        # a probe that retries every 0.1-0.3 s: it measures the node, not a client's backoff
        newcomer = VisitorClient([b.url], backoff=Backoff(base_s=0.1, max_s=0.2))
        async with trio.open_nursery() as talkers:
            for i, client in enumerate(clients):
                talkers.start_soon(visitor, i, client)
            await until(lambda: min(counts) >= 3, 60)
            cluster.signal("a", signal.SIGKILL)
            t_kill = trio.current_time()
            killed.set()
            # the backup takes over and accepts a new dialog within 3 s
            await nursery.start(newcomer.run)
            await newcomer.open("newcomer", timeout=10)
            took = trio.current_time() - t_kill
            # every client resumes and goes on talking
            await until(lambda: min(after_kill) >= 2, 60)
            stop.set()  # each visitor finishes the say it is in (acked), then stops
        for c in [*clients, newcomer]:
            await c.aclose()
    assert (await health(b) or {}).get("role") == "primary"
    assert took < 3.0, f"the backup accepted a new dialog {took:.2f} s after the kill"
    cluster.stop_all()
    check_nothing_lost(acked, messages_in(b.data_dir / "journal.sqlite3"))


def check_nothing_lost(
    acked: dict[str, list[tuple[int, str]]], stored: dict[str, list[tuple[int, str]]]
) -> None:
    """Every acknowledged message stored once, each dialog in seq order."""
    for dialog, sent in acked.items():
        history = stored.get(dialog, [])
        seqs = [s for s, _ in history]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), dialog  # order, no dup
        texts = [t for _, t in history]
        assert len(set(texts)) == len(texts), f"{dialog}: a message stored twice"
        assert set(sent) <= set(history), f"{dialog}: acknowledged messages lost"


async def test_sigstop_the_primary_past_its_lease(cluster: ProcCluster) -> None:
    a, b = await start_pair(cluster)
    sent: list[tuple[int, str]] = []
    async with trio.open_nursery() as nursery:
        # One client rides through by itself: its keepalive notices the paused node (the
        # socket stays open), a dial to it times out, and a refusing backup names the primary.
        vera = VisitorClient([a.url, b.url], ping_interval_s=0.2, ping_timeout_s=0.5,
                             connect_timeout_s=1.0)
        await nursery.start(vera.run)
        ack = await vera.open("paused", timeout=30)
        dialog = str(ack["dialog"])
        for n in range(5):
            got = await vera.say(f"message {n}", timeout=30)
            sent.append((int(got["seq"]), f"message {n}"))
        cluster.signal("a", signal.SIGSTOP)
        for n in range(5, 10):
            got = await vera.say(f"message {n}", timeout=30)
            sent.append((int(got["seq"]), f"message {n}"))
        assert vera.url == b.url and vera.unresponsive >= 1
        assert (await health(b) or {}).get("role") == "primary"
        cluster.signal("a", signal.SIGCONT)
        # a accepts nothing any more: it refuses clients, then rejoins as backup
        probe = VisitorClient([a.url], reconnect=False)
        with pytest.raises(UpgradeRefusedError):
            async with probe:
                await probe.open("late", timeout=5)
        back = await wait_health(
            a, lambda h: h["role"] == "backup" and h["caught_up"] and h["link"] == "up", 30
        )
        # now a names the primary when it refuses: a client that knows only a follows it to b
        late = VisitorClient([a.url], reconnect=False)
        with pytest.raises(UpgradeRefusedError) as refused:
            async with late:
                pass
        assert json.loads(refused.value.body)["error"]["primary"] == b.url
        follower = VisitorClient([a.url])
        await nursery.start(follower.run)
        assert follower.url == b.url
        await follower.resume(dialog, str(ack["data"]["token"]))
        for n in range(10, 13):
            got = await vera.say(f"message {n}", timeout=30)
            sent.append((int(got["seq"]), f"message {n}"))
        await follower.expect({"type": "dialog.message", "text": "message 12"}, timeout=30)
        for c in (vera, follower):
            with trio.move_on_after(2):
                await c.aclose()
        nursery.cancel_scope.cancel()
    hb = await health(b)
    assert hb is not None and back["epoch"] == hb["epoch"] and hb["role"] == "primary"
    assert back["discarded"] == 0  # sync mode: nothing acknowledged was only on a
    await wait_health(a, lambda h: h["last_seq"] == hb["last_seq"], 10)
    cluster.stop_all()
    on_a = messages_in(a.data_dir / "journal.sqlite3")
    on_b = messages_in(b.data_dir / "journal.sqlite3")
    assert on_a == on_b
    assert set(sent) <= set(on_b[dialog])
    texts = [t for _, t in on_b[dialog]]
    assert texts == [f"message {n}" for n in range(13)]  # each once, in order


def manager_password(cluster: ProcCluster, name: str) -> str:
    for line in cluster.log_of(name).splitlines():
        parts = line.split()
        if parts[:2] == ["manager", "maria"] and parts[2] == "password:":
            return parts[3]
    raise AssertionError(f"no manager password in {name}'s log")


async def test_switchover_under_load_loses_nothing(cluster: ProcCluster) -> None:
    a, b = await start_pair(cluster)
    acked: dict[str, list[tuple[int, str]]] = {}
    counts = [0] * 10
    stop = trio.Event()
    progress = [trio.Event()]

    async def visitor(i: int, client: VisitorClient) -> None:
        dialog = str((await client.open(f"visitor {i}", timeout=30))["dialog"])
        acked[dialog] = []
        n = 0
        while not stop.is_set():
            got = await client.say(f"v{i} m{n}", timeout=30)
            acked[dialog].append((int(got["seq"]), f"v{i} m{n}"))
            counts[i] += 1
            n += 1
            progress[0].set()
            await trio.sleep(PACE_S)

    async def until(predicate: Callable[[], bool], timeout: float) -> None:
        with trio.fail_after(timeout):
            while not predicate():
                await progress[0].wait()
                progress[0] = trio.Event()

    args = argparse.Namespace(node=a.url, login="maria", password=manager_password(cluster, "a"))
    async with trio.open_nursery() as nursery:
        clients = [VisitorClient([a.url, b.url]) for _ in counts]
        for c in clients:
            await nursery.start(c.run)
        async with trio.open_nursery() as talkers:
            for i, c in enumerate(clients):
                talkers.start_soon(visitor, i, c)
            await until(lambda: min(counts) >= 3, 60)
            code = await trio.to_thread.run_sync(commands.run, args)
            assert code == 0
            before = list(counts)
            await until(lambda: all(c >= n + 3 for c, n in zip(counts, before, strict=True)), 60)
            stop.set()
        for c in clients:
            await c.aclose()
    ha, hb = await health(a), await health(b)
    assert ha is not None and hb is not None
    assert (ha["role"], hb["role"]) == ("backup", "primary") and hb["epoch"] == ha["epoch"]
    assert ha["discarded"] == 0
    cluster.stop_all()
    check_nothing_lost(acked, messages_in(b.data_dir / "journal.sqlite3"))
