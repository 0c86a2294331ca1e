"""The floor relay, for real: websockets on loopback, pairs joined, frames relayed unchanged."""

from __future__ import annotations

import json
import sqlite3
from functools import partial
from pathlib import Path

import pytest
import trio
from trio_websocket import WebSocketConnection, open_websocket_url, serve_websocket

from bench.durable_log import DurableLog
from bench.floor import DurableRelay, Relay


async def _serve(nursery: trio.Nursery, relay: Relay) -> str:
    """``relay`` on a loopback port; its URL."""
    server = await nursery.start(partial(serve_websocket, relay.handle, "127.0.0.1", 0, None))
    return f"ws://127.0.0.1:{server.port}/"


async def _ask(ws: WebSocketConnection, frame: dict[str, object]) -> dict[str, object]:
    await ws.send_message(json.dumps(frame))
    with trio.fail_after(5):
        reply: dict[str, object] = json.loads(await ws.get_message())
    return reply


async def test_pairs_relay_both_ways_and_report_stats() -> None:
    relay = Relay()
    async with trio.open_nursery() as nursery:
        url = await _serve(nursery, relay)
        async with open_websocket_url(url) as visitor, open_websocket_url(url) as operator:
            ack = await _ask(visitor, {"type": "join", "pair": "p-1", "side": "v", "ref": "o-1"})
            assert ack == {"type": "ack", "ref": "o-1", "dialog": "p-1"}
            for pair in ("p-1", "p-2"):  # an operator socket holds several pairs
                ack = await _ask(operator, {"type": "join", "pair": pair, "side": "o", "ref": pair})
                assert ack["dialog"] == pair

            say = json.dumps({"type": "say", "ref": "m-1", "dialog": "p-1", "text": "hi"})
            await visitor.send_message(say)
            with trio.fail_after(5):
                assert await operator.get_message() == say  # unchanged bytes

            back = json.dumps({"type": "say", "ref": "m-2", "dialog": "p-1", "text": "yes?"})
            await operator.send_message(back)
            with trio.fail_after(5):
                assert await visitor.get_message() == back

            # a say to a pair with no visitor is dropped, not an error
            await operator.send_message(json.dumps({"type": "say", "dialog": "p-2", "text": "x"}))
            stats = await _ask(operator, {"type": "stats"})
            assert stats["type"] == "stats"
            assert stats["relayed"] == 2
            assert stats["dropped"] == 1
            assert isinstance(stats["rss_kb"], int) and stats["rss_kb"] > 0
        nursery.cancel_scope.cancel()


async def test_a_closed_socket_leaves_its_pairs() -> None:
    relay = Relay()
    left = trio.Event()
    relay.on_leave = lambda pairs: left.set()
    async with trio.open_nursery() as nursery:
        url = await _serve(nursery, relay)
        async with open_websocket_url(url) as visitor:
            await _ask(visitor, {"type": "join", "pair": "p-9", "side": "v", "ref": "o"})
            assert "p-9" in relay.pairs
        with trio.fail_after(5):
            await left.wait()  # the handler's cleanup runs in the server's task
        assert "p-9" not in relay.pairs
        nursery.cancel_scope.cancel()


async def test_the_durable_floor_relays_a_say_once_it_is_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "floor.sqlite3"
    log = DurableLog(path, trio.lowlevel.current_trio_token())
    log.start()
    relay = DurableRelay(log)
    try:
        async with trio.open_nursery() as nursery:
            url = await _serve(nursery, relay)
            async with open_websocket_url(url) as visitor, open_websocket_url(url) as operator:
                await _ask(visitor, {"type": "join", "pair": "p-1", "side": "v", "ref": "o"})
                await _ask(operator, {"type": "join", "pair": "p-1", "side": "o", "ref": "j"})
                says = [json.dumps({"type": "say", "ref": f"m-{i}", "text": f"hi {i}"})
                        for i in range(20)]
                for say in says:
                    await visitor.send_message(say)
                for say in says:
                    with trio.fail_after(5):
                        relayed = await operator.get_message()
                    assert relayed == say  # unchanged, in order
                    # relayed only once committed: another connection reads it from the file
                    with sqlite3.connect(path) as db:
                        rows = db.execute("SELECT frame FROM message WHERE frame = ?",
                                          (say,)).fetchall()
                    assert rows == [(say,)]
                stats = await _ask(operator, {"type": "stats"})
                assert stats["relayed"] == 20 and stats["dropped"] == 0
                assert stats["appended"] == 20
                assert 1 <= int(str(stats["commits"])) <= 20  # group commit: batches
            nursery.cancel_scope.cancel()
    finally:
        log.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_the_durable_floor_drops_a_say_whose_receiver_left(tmp_path: Path) -> None:
    log = DurableLog(tmp_path / "floor.sqlite3", trio.lowlevel.current_trio_token())
    log.start()
    relay = DurableRelay(log)
    left = trio.Event()
    relay.on_leave = lambda pairs: left.set()
    try:
        async with trio.open_nursery() as nursery:
            url = await _serve(nursery, relay)
            async with open_websocket_url(url) as operator:
                await _ask(operator, {"type": "join", "pair": "p-1", "side": "o", "ref": "j"})
                async with open_websocket_url(url) as visitor:
                    await _ask(visitor, {"type": "join", "pair": "p-1", "side": "v", "ref": "o"})
                target = relay.pairs["p-1"]["o"]
                relay._deliver(target, "late")  # delivered: the operator is still there
                with trio.fail_after(5):
                    assert await operator.get_message() == "late"
            with trio.fail_after(5):
                await left.wait()
            relay._deliver(target, "too late")  # its socket left: dropped, nothing raised
            assert relay.dropped == 1
            nursery.cancel_scope.cancel()
    finally:
        log.close()


async def test_the_durable_log_says_why_it_cannot_open(tmp_path: Path) -> None:
    log = DurableLog(tmp_path / "no-such-dir" / "floor.sqlite3",
                     trio.lowlevel.current_trio_token())
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        log.start()
