"""The witness over real websockets on loopback, and a real witness process killed -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trio
from trio_websocket import ConnectionClosed

from frontdesk.adapters.witness import WitnessClient, WitnessError, WitnessUnavailableError, serve
from frontdesk.adapters.witness.book import Granted, Refused
from frontdesk.adapters.witness.dial import dial

ROOT = Path(__file__).resolve().parents[2]
SECRET = "the cluster secret"


async def test_grant_renew_refuse_status(nursery: trio.Nursery, tmp_path: Path) -> None:
    port = await nursery.start(serve, tmp_path / "w.json", "127.0.0.1", 0, SECRET)
    client = WitnessClient(f"ws://127.0.0.1:{port}/", secret=SECRET)
    first = await client.acquire("a", "ws://a", 1, 5.0)
    assert first == Granted(2, 5.0)
    assert await client.renew("a", 2, 5.0, "b") == Granted(2, 5.0)
    no = await client.acquire("b", "ws://b", 2, 5.0)
    assert isinstance(no, Refused) and (no.holder, no.holder_url) == ("a", "ws://a")
    status = await client.status()
    assert (status["epoch"], status["holder"], status["standby"]) == (2, "a", "b")
    assert await client.release("a", 2, "b") == Granted(2, 0.0)
    assert await client.acquire("b", "ws://b", 2, 5.0) == Granted(3, 5.0)


async def test_malformed_requests_are_answered_with_an_error(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await nursery.start(serve, tmp_path / "w.json", "127.0.0.1", 0, SECRET)
    client = WitnessClient(f"ws://127.0.0.1:{port}/", secret=SECRET)
    with pytest.raises(WitnessError, match="missing field 'url'"):
        await client.request({"type": "acquire", "node": "a", "epoch": 1, "lease_s": 1})
    with pytest.raises(WitnessError, match="unknown request type 'steal'"):
        await client.request({"type": "steal"})
    with pytest.raises(WitnessError, match="field 'epoch' expected"):
        await client.request({"type": "renew", "node": "a", "epoch": "2", "lease_s": 1})
    # the witness still works
    assert isinstance(await client.acquire("a", "ws://a", 0, 1.0), Granted)


async def test_unreachable_witness(tmp_path: Path) -> None:
    with trio.socket.socket() as sock:  # a port nobody listens on
        await sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = WitnessClient(f"ws://127.0.0.1:{port}/", timeout_s=0.5, secret=SECRET)
    with pytest.raises(WitnessUnavailableError, match="cannot reach the witness"):
        await client.status()


Started = tuple[subprocess.Popen[str], int]


@pytest.fixture
def witness_process(tmp_path: Path) -> Iterator[Callable[[], Started]]:
    procs: list[subprocess.Popen[str]] = []

    def start() -> Started:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "frontdesk.adapters.witness",
                "--port",
                "0",
                "--state",
                str(tmp_path / "witness.json"),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, FRONTDESK_CLUSTER__SECRET=SECRET),
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the witness is listening (or dies)
        assert "witness listening on ws://127.0.0.1:" in line, line
        return proc, int(line.split(":")[2].split("/")[0])

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
async def test_a_restarted_witness_grants_no_second_lease_in_one_epoch(
    witness_process: Callable[[], Started],
) -> None:
    start = witness_process
    proc, port = await trio.to_thread.run_sync(start)
    client = WitnessClient(f"ws://127.0.0.1:{port}/", timeout_s=5, secret=SECRET)
    assert await client.acquire("a", "ws://a", 1, 0.5) == Granted(2, 0.5)
    os.kill(proc.pid, signal.SIGKILL)
    await trio.to_thread.run_sync(proc.wait)

    proc, port = await trio.to_thread.run_sync(start)
    client = WitnessClient(f"ws://127.0.0.1:{port}/", timeout_s=5, secret=SECRET)
    no = await client.acquire("b", "ws://b", 2, 0.5)
    assert isinstance(no, Refused) and no.epoch == 2 and no.holder == "a"
    # the holder keeps its epoch; nobody got epoch 2 twice
    assert await client.acquire("a", "ws://a", 2, 0.5) == Granted(2, 0.5)


async def test_a_served_client_keeps_one_connection_and_redials(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    first = trio.CancelScope()

    async def witness(*, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        with first:
            await serve(tmp_path / "w.json", "127.0.0.1", 0, SECRET, task_status=task_status)

    port = await nursery.start(witness)
    client = WitnessClient(f"ws://127.0.0.1:{port}/", timeout_s=1.0, secret=SECRET)
    await nursery.start(client.serve)
    assert await client.acquire("a", "ws://a", 1, 5.0) == Granted(2, 5.0)
    assert await client.renew("a", 2, 5.0, None) == Granted(2, 5.0)
    first.cancel()  # the witness goes away...
    with pytest.raises(WitnessUnavailableError):
        await client.renew("a", 2, 5.0, None)
    await nursery.start(serve, tmp_path / "w.json", "127.0.0.1", port, SECRET)  # ...and comes back
    assert await client.renew("a", 2, 5.0, None) == Granted(2, 5.0)


async def test_a_client_without_the_secret_is_refused_and_the_witness_carries_on(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    port = await nursery.start(serve, tmp_path / "w.json", "127.0.0.1", 0, SECRET)
    url = f"ws://127.0.0.1:{port}/"
    # a stranger that skips the handshake gets an error and a 1008 close, no lease
    async with dial(url, 5) as ws:
        await ws.send_message(json.dumps(
            {"type": "acquire", "node": "x", "url": "ws://x", "epoch": 0, "lease_s": 60}
        ))
        assert json.loads(await ws.get_message()) == {
            "type": "error", "message": "cluster authentication failed"
        }
        with pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
        assert (closed.value.reason.code, closed.value.reason.reason) == (
            1008, "cluster authentication failed"
        )
    # a client with another secret cannot reach it; nor can the witness fool it
    wrong = WitnessClient(url, timeout_s=2, secret="another secret")
    with pytest.raises(WitnessUnavailableError, match="failed authentication"):
        await wrong.acquire("x", "ws://x", 0, 60.0)
    status = await WitnessClient(url, secret=SECRET).status()
    assert status["holder"] is None and status["epoch"] == 0
