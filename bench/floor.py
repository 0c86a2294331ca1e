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

Run: ``python -m bench.floor [--port 0]``; prints one JSON line
``{"event": "ready", "port": N, "pid": N}`` when it accepts connections.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import trio
from trio_websocket import ConnectionClosed, WebSocketConnection, WebSocketRequest, serve_websocket

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
        ws = await request.accept()
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
                    self.relayed += 1
                    try:
                        await target.send_message(raw)
                    except ConnectionClosed:
                        self.dropped += 1
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


async def serve(port: int, tuning: RuntimeTuning) -> None:
    relay = Relay()
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
    args = parser.parse_args(argv)
    gcstats.install()
    tuning = tuning_from_env(os.environ)  # the server's default tuning, for a fair floor
    apply_runtime_tuning(tuning)
    with contextlib.suppress(KeyboardInterrupt):
        trio.run(serve, args.port, tuning)


if __name__ == "__main__":
    main()
