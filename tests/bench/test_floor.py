"""The floor relay, for real: websockets on loopback, pairs joined, frames relayed unchanged."""

from __future__ import annotations

import json
from functools import partial

import trio
from trio_websocket import WebSocketConnection, open_websocket_url, serve_websocket

from bench.floor import Relay


async def _ask(ws: WebSocketConnection, frame: dict[str, object]) -> dict[str, object]:
    await ws.send_message(json.dumps(frame))
    with trio.fail_after(5):
        reply: dict[str, object] = json.loads(await ws.get_message())
    return reply


async def test_pairs_relay_both_ways_and_report_stats() -> None:
    relay = Relay()
    async with trio.open_nursery() as nursery:
        server = await nursery.start(
            partial(serve_websocket, relay.handle, "127.0.0.1", 0, None)
        )
        url = f"ws://127.0.0.1:{server.port}/"
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
        server = await nursery.start(
            partial(serve_websocket, relay.handle, "127.0.0.1", 0, None)
        )
        url = f"ws://127.0.0.1:{server.port}/"
        async with open_websocket_url(url) as visitor:
            await _ask(visitor, {"type": "join", "pair": "p-9", "side": "v", "ref": "o"})
            assert "p-9" in relay.pairs
        with trio.fail_after(5):
            await left.wait()  # the handler's cleanup runs in the server's task
        assert "p-9" not in relay.pairs
        nursery.cancel_scope.cancel()
