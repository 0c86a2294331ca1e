"""The floor's relay on other websocket stacks: where a server's time per frame goes.

``python -m bench.stacks [--rounds N]`` runs the saturation scenario of ``python -m bench``
(500 pairs, a window of 4 messages each) against the floor relay's protocol served four
ways, one after the other, and prints msg/s for each:

- ``trio-websocket``: the floor itself (``bench/floor.py``);
- ``starlette``: a Starlette websocket endpoint on Hypercorn's trio worker (frontdesk's
  server before the fourth round of docs/performance.md);
- ``raw-asgi``: the same without Starlette, a bare ASGI app on Hypercorn;
- ``wsproto``: wsproto on the TCP stream, every frame a connection has ready written with
  one ``send_all`` (what ``web/ws_transport.py`` does).

A server is started as ``python -m bench.stacks --serve KIND`` and prints the floor's
``{"event": "ready", "port": N, "pid": N}`` line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio
from hypercorn.config import Config
from hypercorn.trio import serve
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from wsproto import WSConnection
from wsproto.connection import ConnectionType
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

from bench.procs import Child
from bench.servers import Server
from bench.suite import FULL, Context, relay_run

KINDS = ("trio-websocket", "starlette", "raw-asgi", "wsproto")

SendText = Callable[[str], Awaitable[None]]


class Pairs:
    """The floor's routing: a pair's visitor and operator sides, by pair id."""

    def __init__(self) -> None:
        self.sides: dict[str, dict[str, Any]] = {}

    async def relay(self, receive: Callable[[], Awaitable[str | None]], me: Any,
                    send: Callable[[Any, str], Awaitable[None]]) -> None:
        joined: list[str] = []
        my_pair: str | None = None
        try:
            while (raw := await receive()) is not None:
                frame = json.loads(raw)
                if frame.get("type") == "say":
                    pair = my_pair if my_pair is not None else str(frame.get("dialog"))
                    target = self.sides.get(pair, {}).get("o" if my_pair is not None else "v")
                    if target is not None:
                        await send(target, raw)
                elif frame.get("type") == "join":
                    pair, side = str(frame["pair"]), frame["side"]
                    self.sides.setdefault(pair, {})[side] = me
                    joined.append(pair)
                    my_pair = pair if side == "v" else my_pair
                    ack = {"type": "ack", "ref": frame.get("ref"), "dialog": pair}
                    await send(me, json.dumps(ack))
        finally:
            for pair in joined:
                sides = self.sides.get(pair, {})
                for side in [s for s, conn in sides.items() if conn is me]:
                    del sides[side]
                if not sides:
                    self.sides.pop(pair, None)


def ready(port: int) -> None:
    sys.stdout.write(json.dumps({"event": "ready", "port": port, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()


async def serve_hypercorn(raw: bool) -> None:

    pairs = Pairs()

    async def starlette_endpoint(ws: WebSocket) -> None:
        await ws.accept()

        async def receive() -> str | None:
            try:
                return await ws.receive_text()
            except WebSocketDisconnect:
                return None

        async def send(target: WebSocket, text: str) -> None:
            await target.send_text(text)

        await pairs.relay(receive, ws, send)

    async def raw_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})

        async def next_text() -> str | None:
            message = await receive()
            return None if message["type"] == "websocket.disconnect" else message.get("text")

        async def send_to(target: Any, text: str) -> None:
            await target({"type": "websocket.send", "text": text})

        await pairs.relay(next_text, send, send_to)

    app: Any = raw_app if raw else Starlette(routes=[WebSocketRoute("/", starlette_endpoint)])
    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.accesslog = None
    async with trio.open_nursery() as nursery:
        binds = await nursery.start(lambda task_status: serve(app, config,
                                                             task_status=task_status))
        ready(int(binds[0].rsplit(":", 1)[1]))


class WsprotoConn:
    def __init__(self, stream: trio.SocketStream) -> None:

        self.stream = stream
        self.ws = WSConnection(ConnectionType.SERVER)
        self.out: list[bytes] = []
        self.wake = trio.Event()

    def queue(self, data: bytes) -> None:
        self.out.append(data)
        self.wake.set()

    async def writer(self) -> None:
        while True:
            await self.wake.wait()
            self.wake = trio.Event()
            data, self.out = b"".join(self.out), []
            await self.stream.send_all(data)


async def serve_wsproto() -> None:

    pairs = Pairs()

    async def handle(stream: trio.SocketStream) -> None:
        conn = WsprotoConn(stream)
        texts: list[str] = []
        parts: list[str] = []

        async def receive() -> str | None:
            while not texts:
                data = await stream.receive_some(65536)
                if not data:
                    return None
                conn.ws.receive_data(data)
                for event in conn.ws.events():
                    if isinstance(event, Request):
                        conn.queue(conn.ws.send(AcceptConnection()))
                    elif isinstance(event, TextMessage):
                        parts.append(event.data)
                        if event.message_finished:
                            texts.append("".join(parts))
                            parts.clear()
                    elif isinstance(event, Ping | CloseConnection):
                        conn.queue(conn.ws.send(event.response()))
            return texts.pop(0)

        async def send(target: WsprotoConn, text: str) -> None:
            target.queue(target.ws.send(TextMessage(data=text)))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(conn.writer)
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                await pairs.relay(receive, conn, send)
            nursery.cancel_scope.cancel()

    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(trio.serve_tcp, handle, 0)
        ready(listeners[0].socket.getsockname()[1])


def measure(rounds: int) -> None:

    log = Path(tempfile.mkdtemp(prefix="fd-stacks-"))
    ctx = Context(FULL, log, log)
    s = ctx.sizes
    scenario = {"scenario": "window", "window": s.window, "warmup_s": s.saturation_warmup_s,
                "duration_s": s.saturation_s}
    for n in range(rounds):
        for kind in KINDS:
            argv = ([sys.executable, "-m", "bench.floor"] if kind == "trio-websocket"
                    else [sys.executable, "-m", "bench.stacks", "--serve", kind])
            child = Child(f"{kind}-{n}", argv, log, {})
            server = Server(child, int(child.expect("ready", 20)["port"]), 0.0)
            try:
                result = relay_run(ctx, "floor", server, [], scenario)
            finally:
                server.stop()
            print(f"round {n + 1}  {kind:15s} {result['in_window'] / result['window_s']:8,.0f} "
                  "msg/s", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stacks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", choices=KINDS[1:])
    args = parser.parse_args(argv)
    if args.serve == "starlette":
        trio.run(serve_hypercorn, False)
    elif args.serve == "raw-asgi":
        trio.run(serve_hypercorn, True)
    elif args.serve == "wsproto":
        trio.run(serve_wsproto)
    else:
        measure(args.rounds)


if __name__ == "__main__":
    main()
