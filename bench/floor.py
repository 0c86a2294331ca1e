"""The floor: the least a websocket relay can do, to measure frontdesk against.

A trio-websocket server with no actors, no journal and no routing beyond one
dict lookup. It speaks the same frame shapes as frontdesk's hot path so the
load generator's clients send the same bytes to both:

- ``{"type": "join", "pair": P, "side": "v"|"o", "ref": R}`` puts the
  connection on side v (visitor) or o (operator) of pair P; answered by
  ``{"type": "ack", "ref": R, "dialog": P}``. A visitor joins one pair, an
  operator connection may join several (as an operator holds several dialogs).
- ``{"type": "say", "text": ..., "ref": ...}`` from a visitor goes, unchanged,
  to the operator side of its pair; ``{"type": "say", "dialog": P, ...}`` from
  an operator goes to the visitor of P.
- ``{"type": "stats"}`` is answered with the process's RSS and GC pauses.

``--durable PATH`` makes it the durable floor (``DurableRelay``): each ``say`` is relayed
only once it is committed and fsynced to the SQLite file at PATH (``bench/durable_log.py``),
as frontdesk relays a message only once it is in its journal.

Run: ``python -m bench.floor [--port 0] [--durable PATH]``; prints one JSON line
``{"event": "ready", "port": N, "pid": N}`` when it accepts connections.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import trio
from trio_websocket import ConnectionClosed, WebSocketConnection, WebSocketRequest, serve_websocket

from bench import threads
from bench.durable_log import DurableLog
from bench.procstat import rss_kb
from frontdesk.adapters import gcstats
from frontdesk.adapters.tuning import (
    RuntimeTuning,
    after_startup,
    apply_runtime_tuning,
    tuning_from_env,
)


class Relay:
    def __init__(self) -> None:
        self.pairs: dict[str, dict[str, WebSocketConnection]] = {}
        self.relayed = 0
        self.dropped = 0
        self.on_leave: Callable[[list[str]], None] | None = None  # tests: a socket left

    async def handle(self, request: WebSocketRequest) -> None:
        await self.serve(await request.accept())

    async def forward(self, target: WebSocketConnection, raw: str | bytes) -> None:
        """Relay ``raw`` to ``target``: at once."""
        self.relayed += 1
        try:
            await target.send_message(raw)
        except ConnectionClosed:
            self.dropped += 1

    async def serve(self, ws: WebSocketConnection) -> None:
        joined: list[str] = []
        my_pair: str | None = None  # the visitor's pair
        try:
            while True:
                raw = await ws.get_message()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "say":
                    if my_pair is not None:
                        target = self.pairs.get(my_pair, {}).get("o")
                    else:
                        target = self.pairs.get(str(frame.get("dialog")), {}).get("v")
                    if target is None:
                        self.dropped += 1
                        continue
                    await self.forward(target, raw)
                elif kind == "join":
                    pair, side = str(frame["pair"]), frame["side"]
                    self.pairs.setdefault(pair, {})[side] = ws
                    joined.append(pair)
                    if side == "v":
                        my_pair = pair
                    ack = {"type": "ack", "ref": frame.get("ref"), "dialog": pair}
                    await ws.send_message(json.dumps(ack))
                elif kind == "stats":
                    await ws.send_message(json.dumps(self.stats()))
        except ConnectionClosed:
            pass
        finally:
            for pair in joined:
                sides = self.pairs.get(pair)
                if sides is not None:
                    for side, conn in list(sides.items()):
                        if conn is ws:
                            del sides[side]
                    if not sides:
                        del self.pairs[pair]
            if self.on_leave is not None:
                self.on_leave(joined)

    def stats(self) -> dict[str, Any]:
        rec = gcstats.recorder()
        return {
            "type": "stats",
            "rss_kb": rss_kb(os.getpid()),
            "relayed": self.relayed,
            "dropped": self.dropped,
            "pairs": len(self.pairs),
            "gc": rec.snapshot() if rec is not None else None,
        }


OUTBOX = 1024  # frames waiting for one socket; a socket that falls further behind drops


class DurableRelay(Relay):
    """The floor, durable: a ``say`` goes to the other side once ``log`` has it on disk.

    Each socket gets an outbox and a task that writes it, so the loop's hand-over from the
    log (a batch at a time) never waits on a socket."""

    def __init__(self, log: DurableLog) -> None:
        super().__init__()
        self.log = log
        self.outboxes: dict[WebSocketConnection, trio.MemorySendChannel[str | bytes]] = {}

    async def serve(self, ws: WebSocketConnection) -> None:
        send, receive = trio.open_memory_channel[str | bytes](OUTBOX)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._write_out, ws, receive)
            self.outboxes[ws] = send
            try:
                await super().serve(ws)
            finally:
                del self.outboxes[ws]
                send.close()
                nursery.cancel_scope.cancel()

    async def forward(self, target: WebSocketConnection, raw: str | bytes) -> None:
        self.log.submit(raw, partial(self._deliver, target, raw))

    def _deliver(self, target: WebSocketConnection, raw: str | bytes) -> None:
        """On the loop, once ``raw`` is on disk: into ``target``'s outbox, or dropped (the
        socket left, or fell ``OUTBOX`` frames behind)."""
        outbox = self.outboxes.get(target)
        try:
            if outbox is not None:
                outbox.send_nowait(raw)
                self.relayed += 1
                return
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            pass
        self.dropped += 1

    async def _write_out(self, ws: WebSocketConnection,
                         receive: trio.MemoryReceiveChannel[str | bytes]) -> None:
        async for raw in receive:
            try:
                await ws.send_message(raw)
            except ConnectionClosed:
                self.dropped += 1

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "appended": self.log.appended, "commits": self.log.commits}


async def serve(port: int, tuning: RuntimeTuning, durable: Path | None = None) -> None:
    log = None
    if durable is not None:
        log = DurableLog(durable, trio.lowlevel.current_trio_token())
        log.start()
    relay = Relay() if log is None else DurableRelay(log)
    try:
        await _serve(relay, port, tuning)
    finally:
        if log is not None:
            log.close()


async def _serve(relay: Relay, port: int, tuning: RuntimeTuning) -> None:
    async with trio.open_nursery() as nursery:
        server = await nursery.start(
            lambda task_status=trio.TASK_STATUS_IGNORED: serve_websocket(
                relay.handle, "127.0.0.1", port, None,
                message_queue_size=1, max_message_size=65536, task_status=task_status,
            )
        )
        after_startup(tuning)
        ready = {"event": "ready", "port": server.port, "pid": os.getpid()}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--durable", type=Path, default=None, metavar="PATH",
                        help="relay each say once it is fsynced to this SQLite file")
    args = parser.parse_args(argv)
    threads.name_native_threads()  # the durable log's thread by name in the CPU table
    gcstats.install()
    tuning = tuning_from_env(os.environ)  # the server's default tuning, for a fair floor
    apply_runtime_tuning(tuning)
    with contextlib.suppress(KeyboardInterrupt):
        trio.run(serve, args.port, tuning, args.durable)


if __name__ == "__main__":
    main()
