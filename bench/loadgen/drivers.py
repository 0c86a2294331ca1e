"""Targets: how the load generator's clients reach the floor relay or a frontdesk server.

Both targets offer the same operations to the scenarios, so the measuring
code (``scenarios.py``) is shared and only the wire dialect differs:

- ``setup_pairs(nursery, indices)``: one visitor socket per pair, operator
  sockets holding ``capacity`` pairs each, every pair ready to relay.
- ``send(pair, direction, text)``: a ``say`` frame from the visitor (``v2o``)
  or from the pair's operator (``o2v``); both dialects send the same frame
  ``{"type": "say", "ref", "dialog", "text"}``.
- ``on_receive(pair, direction, text, now_ns)``: called by the readers when
  the other side receives the text (frontdesk: a ``dialog.message`` of the
  other author; floor: the relayed ``say``).
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import trio
from trio_websocket import (
    ConnectionClosed,
    HandshakeError,
    WebSocketConnection,
    connect_websocket_url,
)

OnReceive = Callable[[int, str, str, int], None]
OPEN_CONCURRENCY = 50
REPLY_TIMEOUT_S = 120.0  # generous: a server working off a backlog answers late


class TargetError(Exception):
    """The target refused or did not answer as the scenario expected."""


def _ignore(pair: int, direction: str, text: str, now_ns: int) -> None:
    return None


@dataclass
class Conn:
    """A client websocket with a reader task; replies are matched to requests by ``ref``."""

    ws: WebSocketConnection
    kind: str
    pending: dict[str, trio.MemorySendChannel[dict[str, Any]]] = field(default_factory=dict)
    closed: bool = False
    greeted: trio.Event = field(default_factory=trio.Event)  # frontdesk's hello arrived

    async def request(
        self, frame: dict[str, Any], timeout_s: float = REPLY_TIMEOUT_S
    ) -> dict[str, Any]:
        """Send a frame with a ``ref`` and wait for the ``ack``/``error`` echoing it."""
        send, receive = trio.open_memory_channel[dict[str, Any]](1)
        self.pending[frame["ref"]] = send
        await self.ws.send_message(json.dumps(frame))
        with trio.move_on_after(timeout_s):
            reply = await receive.receive()
            if reply.get("type") == "error":
                raise TargetError(f"{frame['type']} {frame['ref']} refused: {reply}")
            return reply
        raise TargetError(f"no answer to {frame['type']} {frame['ref']} within {timeout_s} s")

    def resolve(self, frame: dict[str, Any]) -> bool:
        ref = frame.get("ref")
        if ref is None:
            return False
        waiter = self.pending.pop(str(ref), None)
        if waiter is None:
            return False
        waiter.send_nowait(frame)
        return True


class Target:
    """What both dialects share: connections, pairs, counters."""

    def __init__(self, base: str, capacity: int) -> None:
        self.base = base  # "127.0.0.1:PORT"
        self.capacity = capacity
        self.on_receive: OnReceive = _ignore
        self.refs = itertools.count()
        self.errors: list[str] = []
        self.visitor_of: dict[int, Conn] = {}
        self.operator_of: dict[int, Conn] = {}
        self.dialog_of: dict[int, str] = {}
        self.pair_of: dict[str, int] = {}
        self.operators: list[Conn] = []
        self.visitors: list[Conn] = []
        self.frames: Counter[str] = Counter()  # frames received, by kind/type
        self.open_failures = 0

    def ref(self, prefix: str) -> str:
        return f"{prefix}-{next(self.refs)}"

    async def _connect(
        self, nursery: trio.Nursery, path: str, headers: list[tuple[bytes, bytes]], kind: str
    ) -> Conn:
        url = f"ws://{self.base}{path}"
        try:
            ws = await connect_websocket_url(
                nursery, url, extra_headers=headers, max_message_size=1 << 20
            )
        except (OSError, HandshakeError, trio.TooSlowError) as exc:
            raise TargetError(f"cannot connect {kind} to {url}: {exc!r}") from None
        conn = Conn(ws, kind)
        nursery.start_soon(self._read, conn)
        return conn

    async def _read(self, conn: Conn) -> None:
        try:
            while True:
                raw = await conn.ws.get_message()
                now = time.monotonic_ns()
                frame = json.loads(raw)
                self.frames[f"{conn.kind}:{frame.get('type')}"] += 1
                if frame.get("type") == "hello":
                    conn.greeted.set()
                if not conn.resolve(frame):
                    self.dispatch(conn, frame, now)
        except ConnectionClosed as exc:
            conn.closed = True
            reason = exc.reason
            if reason is not None and reason.code not in (1000, 1001):
                self.errors.append(f"{conn.kind} socket closed: {reason.code} {reason.reason}")

    def dispatch(self, conn: Conn, frame: dict[str, Any], now_ns: int) -> None:
        raise NotImplementedError

    async def send(self, pair: int, direction: str, text: str) -> None:
        conn = self.visitor_of[pair] if direction == "v2o" else self.operator_of[pair]
        frame = {"type": "say", "ref": self.ref("m"), "dialog": self.dialog_of[pair], "text": text}
        await conn.ws.send_message(json.dumps(frame))

    async def setup_pairs(self, nursery: trio.Nursery, indices: range) -> None:
        raise NotImplementedError

    async def open_visitors(
        self, nursery: trio.Nursery, indices: range, tolerate: bool = False
    ) -> None:
        """Connect a visitor per index and open its dialog (no operator needed).

        With ``tolerate``, a visitor that cannot open is counted in
        ``open_failures`` instead of failing the run.
        """
        limiter = trio.CapacityLimiter(OPEN_CONCURRENCY)

        async def one(i: int) -> None:
            async with limiter:
                try:
                    await self.open_visitor(nursery, i)
                except (TargetError, ConnectionClosed) as exc:
                    if not tolerate:
                        raise
                    self.open_failures += 1
                    if len(self.errors) < 100:
                        self.errors.append(f"visitor {i}: {exc}")

        async with trio.open_nursery() as inner:
            for i in indices:
                inner.start_soon(one, i)

    async def open_visitor(self, nursery: trio.Nursery, index: int) -> str:
        raise NotImplementedError

    async def connect_operators(self, nursery: trio.Nursery, count: int) -> None:
        raise NotImplementedError

    async def close_all(self) -> None:
        for conn in (*self.visitors, *self.operators):
            with trio.move_on_after(1):
                await conn.ws.aclose()


class FloorTarget(Target):
    """The floor relay (``bench/floor.py``): pairs are joined explicitly."""

    async def open_visitor(self, nursery: trio.Nursery, index: int) -> str:
        conn = await self._connect(nursery, "/", [], "visitor")
        self.visitors.append(conn)
        pair = f"p-{index}"
        await conn.request({"type": "join", "pair": pair, "side": "v", "ref": self.ref("o")})
        self.visitor_of[index] = conn
        self.dialog_of[index] = pair
        self.pair_of[pair] = index
        return pair

    async def connect_operators(self, nursery: trio.Nursery, count: int) -> None:
        for _ in range(count):
            self.operators.append(await self._connect(nursery, "/", [], "operator"))

    async def setup_pairs(self, nursery: trio.Nursery, indices: range) -> None:
        await self.connect_operators(nursery, math.ceil(len(indices) / self.capacity))
        await self.open_visitors(nursery, indices)
        await self.join_operators(indices)

    async def join_operators(self, indices: range) -> None:
        """Operator j holds pairs j*capacity .. j*capacity+capacity-1 (as frontdesk assigns)."""
        if len(indices) > len(self.operators) * self.capacity:
            raise TargetError(
                f"{len(indices)} pairs need more than {len(self.operators)} operators"
            )
        for n, i in enumerate(indices):
            op = self.operators[n // self.capacity]
            pair = f"p-{i}"
            await op.request({"type": "join", "pair": pair, "side": "o", "ref": self.ref("j")})
            self.operator_of[i] = op

    def dispatch(self, conn: Conn, frame: dict[str, Any], now_ns: int) -> None:
        if frame.get("type") != "say":
            return
        pair = self.pair_of.get(str(frame.get("dialog")))
        if pair is not None:
            direction = "o2v" if conn.kind == "visitor" else "v2o"
            self.on_receive(pair, direction, frame["text"], now_ns)


class FrontdeskTarget(Target):
    """A frontdesk server: visitors open dialogs, the engine assigns them to operators."""

    def __init__(self, base: str, capacity: int, sessions: list[str]) -> None:
        super().__init__(base, capacity)
        self.sessions = sessions
        self.origin = (b"Origin", f"http://{base}".encode())
        # operator dialog_added: dialog -> (operator conn, monotonic ns)
        self.added: dict[str, tuple[Conn, int]] = {}
        self.added_events: dict[str, trio.Event] = {}
        self.added_channels: dict[int, tuple[trio.MemorySendChannel[tuple[str, int]],
                                             trio.MemoryReceiveChannel[tuple[str, int]]]] = {}
        self.held: dict[int, list[str]] = {}  # id(operator conn) -> dialogs, oldest first

    async def connect_operators(self, nursery: trio.Nursery, count: int) -> None:
        if count > len(self.sessions):
            raise TargetError(f"{count} operators wanted, {len(self.sessions)} sessions given")
        limiter = trio.CapacityLimiter(OPEN_CONCURRENCY)

        async def one(token: str) -> None:
            async with limiter:
                headers = [self.origin, (b"Cookie", f"fd_session={token}".encode())]
                conn = await self._connect(nursery, "/ws/operator", headers, "operator")
                self.added_channels[id(conn)] = trio.open_memory_channel[tuple[str, int]](1000)
                self.held[id(conn)] = []
                await conn.ws.send_message(json.dumps({"type": "resume", "dialogs": {}}))
                self.operators.append(conn)

        async with trio.open_nursery() as inner:
            for token in self.sessions[:count]:
                inner.start_soon(one, token)

    async def set_status(self, status: str) -> None:
        async with trio.open_nursery() as inner:
            for op in self.operators:
                frame = {"type": "status", "ref": self.ref("s"), "status": status}
                inner.start_soon(op.request, frame)

    async def open_visitor(self, nursery: trio.Nursery, index: int) -> str:
        conn = await self._connect(nursery, "/ws/visitor", [self.origin], "visitor")
        self.visitors.append(conn)
        ack = await conn.request({"type": "open", "ref": self.ref("o"), "name": f"v{index}"})
        dialog = str(ack["dialog"])
        self.visitor_of[index] = conn
        self.dialog_of[index] = dialog
        self.pair_of[dialog] = index
        return dialog

    async def wait_added(self, dialog: str, timeout_s: float = REPLY_TIMEOUT_S) -> tuple[Conn, int]:
        if dialog not in self.added:
            event = self.added_events.setdefault(dialog, trio.Event())
            with trio.move_on_after(timeout_s):
                await event.wait()
            if dialog not in self.added:
                raise TargetError(f"dialog {dialog} not assigned within {timeout_s} s")
        return self.added[dialog]

    async def setup_pairs(self, nursery: trio.Nursery, indices: range) -> None:
        """Connect ceil(n/capacity) operators, open the visitors, wait for every assignment.

        The operators go to ``connected`` first and to ``no_new_dialog`` once their
        pairs are assigned, so a second load generator process can then set up its
        own pairs with its own operators.
        """
        await self.connect_operators(nursery, math.ceil(len(indices) / self.capacity))
        await self.set_status("connected")
        await self.open_visitors(nursery, indices)
        for i in indices:
            op, _ = await self.wait_added(self.dialog_of[i])
            self.operator_of[i] = op
        await self.set_status("no_new_dialog")

    def dispatch(self, conn: Conn, frame: dict[str, Any], now_ns: int) -> None:
        kind = frame.get("type")
        if kind == "dialog.message":
            pair = self.pair_of.get(str(frame.get("dialog")))
            if pair is None:
                return
            author = frame.get("author")
            if conn.kind == "operator" and author == "visitor":
                self.on_receive(pair, "v2o", frame["text"], now_ns)
            elif conn.kind == "visitor" and author == "operator":
                self.on_receive(pair, "o2v", frame["text"], now_ns)
        elif kind == "operator.dialog_added":
            dialog = str(frame["dialog"])
            self.added[dialog] = (conn, now_ns)
            self.held[id(conn)].append(dialog)
            self.added_channels[id(conn)][0].send_nowait((dialog, now_ns))
            event = self.added_events.pop(dialog, None)
            if event is not None:
                event.set()
        elif kind == "operator.dialog_removed":
            dialog = str(frame["dialog"])
            held = self.held.get(id(conn), [])
            if dialog in held:
                held.remove(dialog)
        elif kind == "error":
            code, message = frame.get("code"), frame.get("message")
            self.errors.append(f"{conn.kind} error frame: {code} {message}")


def make_target(spec: dict[str, Any]) -> Target:
    if spec["target"] == "floor":
        return FloorTarget(spec["base"], spec.get("capacity", 3))
    return FrontdeskTarget(spec["base"], spec.get("capacity", 3), spec.get("sessions", []))
