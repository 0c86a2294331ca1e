"""Cluster authentication on real processes: a refused peer never harms the primary.

Issue 12 findings 2 and 7: a replication hello with a wrong secret, closed at once,
used to kill the primary (``trio.BusyResourceError``); a stranger without the secret
could take the backup's place. Here a stranger is refused with a clear close, and the
primary stays up and keeps its real backup.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import trio
from failover_procs import ROOT, NodeProc, ProcCluster, health, wait_health
from trio_websocket import ConnectionClosed

from frontdesk.adapters import peer_auth
from frontdesk.adapters.replication.handshake import replication_key
from frontdesk.adapters.witness.dial import dial
from tests.web.raw_ws import TEXT, RawWs, frame_bytes

pytestmark = pytest.mark.slow

ATTEMPTS = 20


def hello(secret: str) -> str:
    """The report's hello, with its ``secret`` field (which the primary no longer reads)."""
    return json.dumps({"type": "repl.hello", "node": "x", "url": "http://x", "secret": secret,
                       "epoch": 0, "last_seq": 0, "runs": []})


async def hello_and_close(node: NodeProc, secret: str) -> None:
    """Send a hello and close at once, as the report's attacker did."""
    async with dial(f"ws://127.0.0.1:{node.port}/ws/replication", 10) as ws:
        await ws.send_message(hello(secret))


async def test_a_hello_closed_at_once_does_not_kill_the_primary(cluster: ProcCluster) -> None:
    cluster.start_witness()
    a = cluster.add("a", "primary")
    cluster.add("b", "backup")
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    for secret in ["wrong", "", "test-secret"] * (ATTEMPTS // 3):
        await hello_and_close(a, secret)
        assert a.proc is not None and a.proc.poll() is None, cluster.log_of("a")[-3000:]
    got = await health(a)
    assert got is not None and got["ready"], cluster.log_of("a")[-3000:]
    assert a.proc is not None and a.proc.poll() is None


async def stranger(
    node: NodeProc, key: bytes, legacy_secret: str | None = None
) -> tuple[list[dict[str, object]], int | None, str]:
    """A peer that speaks the protocol with ``key`` (or an old-style hello carrying a
    secret): what it received, and the close code and reason."""
    nonce = peer_auth.new_nonce()
    hello: dict[str, object] = {"type": "repl.hello", "node": "b", "url": "http://x",
                                "epoch": 99, "last_seq": 0, "runs": []}
    if legacy_secret is None:
        hello["nonce"] = nonce
    else:
        hello["secret"] = legacy_secret
    frames: list[dict[str, object]] = []
    async with dial(f"ws://127.0.0.1:{node.port}/ws/replication", 10) as ws:
        await ws.send_message(json.dumps(hello))
        with trio.fail_after(10):
            try:
                while True:
                    frame = json.loads(await ws.get_message())
                    frames.append(frame)
                    if frame["type"] == "repl.challenge":
                        answer = peer_auth.proof(key, "backup", "b", frame["nonce"], nonce)
                        await ws.send_message(json.dumps({"type": "repl.auth", "proof": answer}))
            except ConnectionClosed as e:
                return frames, e.reason.code, e.reason.reason or ""
    raise AssertionError("unreachable")


async def wait_log(cluster: ProcCluster, name: str, text: str, count: int, timeout: float) -> None:
    """Poll ``name``'s log every 50 ms until ``text`` shows ``count`` times."""
    with trio.move_on_after(timeout):
        while cluster.log_of(name).count(text) < count:
            await trio.sleep(0.05)
        return
    tail = cluster.log_of(name)[-2000:]
    raise AssertionError(f"{text!r} not {count} times in {name}'s log: {tail}")


async def test_strangers_are_refused_and_the_real_backup_stays(cluster: ProcCluster) -> None:
    cluster.start_witness()
    a = cluster.add("a", "primary")
    b = cluster.add("b", "backup")
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    wrong = replication_key("not the secret")
    for legacy in (None, "", "test-secret"):  # a wrong key; the old hello's secret, even right
        frames, code, reason = await stranger(a, wrong, legacy)
        assert (code, reason) == (1008, "cluster authentication failed")
        # it learnt nothing: no welcome, no records, not even the epoch or the primary's URL
        kinds = [f["type"] for f in frames]
        assert "repl.welcome" not in kinds and "repl.records" not in kinds, frames
        assert frames[-1] == {"type": "repl.refused", "reason": "cluster authentication failed"}
    got = await health(a)
    assert got is not None and got["ready"] and got["backup"] == "b" and got["caught_up"]
    assert got["refused_unauthenticated"] == 3
    assert (await health(b) or {}).get("link") == "up"


async def test_a_backup_with_another_secret_is_refused_and_the_primary_stays_up(
    cluster: ProcCluster,
) -> None:
    cluster.start_witness()
    a = cluster.add("a", "primary")
    b = cluster.add("b", "backup")
    b.secret = "another secret"
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    # b dials again and again (with backoff); each attempt is refused, a carries on
    await wait_log(cluster, "a", "failed authentication", 3, timeout=30)
    got = await health(a)
    assert got is not None and got["ready"] and got["link"] == "down"
    assert a.proc is not None and a.proc.poll() is None
    assert "failed authentication" in cluster.log_of("b")  # b says why it does not follow
    # the same backup with the right secret is served
    cluster.signal("b", signal.SIGKILL)
    b.secret = None
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)


def run_without_secret(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FRONTDESK_CLUSTER__SECRET="")
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_a_cluster_node_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = run_without_secret(
        ["frontdesk.web.cli", "serve", "--port", "0", "--advertise-url", "http://127.0.0.1:1",
         "--data-dir", str(tmp_path), "--role", "primary", "--primary", "http://127.0.0.1:2",
         "--witness", "ws://127.0.0.1:3/"]
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cluster.secret" in lines[0] and "FRONTDESK_CLUSTER__SECRET" in lines[0]


def test_the_witness_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = run_without_secret(
        ["frontdesk.adapters.witness", "--port", "0", "--state", str(tmp_path / "w.json")]
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "FRONTDESK_CLUSTER__SECRET" in lines[0], done.stderr


@pytest.mark.parametrize("frame", [b"", b"\x00binary", "[" * 5000 + "]" * 5000],
                         ids=["empty binary", "binary", "nested 5000 deep"])
async def test_a_malformed_first_frame_is_closed_1002_and_logs_no_error(
    cluster: ProcCluster, frame: str | bytes
) -> None:
    """Found by tests/fuzz: a binary frame (Starlette's text None) or one nested 5,000 deep
    (``RecursionError``) escaped the handshake: "Error in ASGI Framework" in the log, close
    1011, where docs/failover.md says a malformed handshake is closed 1002."""
    cluster.start_witness()
    a = cluster.add("a", "primary")
    cluster.add("b", "backup")
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    async with dial(f"ws://127.0.0.1:{a.port}/ws/replication", 10) as ws:
        await ws.send_message(frame)
        with trio.fail_after(10), pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
    assert closed.value.reason.code == 1002, closed.value.reason
    await wait_log(cluster, "a", "replication handshake failed", 1, 10)
    assert "Error in ASGI Framework" not in cluster.log_of("a")
    assert "Traceback" not in cluster.log_of("a")


async def test_a_websocket_protocol_error_on_the_link_is_failed_with_its_code(
    cluster: ProcCluster,
) -> None:
    """``/ws/replication`` is served by the front's transport like the client endpoints:
    an unmasked frame is failed 1002 and text that is not UTF-8 1007 (through Hypercorn's
    websocket stream, which served the link before, neither got its code), and a frame
    over ``server.max_frame_bytes`` is closed 1009."""
    cluster.start_witness()
    a = cluster.add("a", "primary")
    cluster.add("b", "backup")
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cases = [(frame_bytes(TEXT, b'{"type":"repl.hello"}', mask=False), 1002),
             (frame_bytes(TEXT, b'{"type":"\xff"}'), 1007),
             (frame_bytes(TEXT, b'"' + b"x" * 70000 + b'"'), 1009)]
    for data, code in cases:
        ws = await RawWs.connect(a.port, "/ws/replication")
        await ws.send_raw(data)
        assert await ws.close_code() == code
        await ws.aclose()
    got = await health(a)
    assert got is not None and got["ready"] and got["role"] == "primary"
    assert "Traceback" not in cluster.log_of("a")
