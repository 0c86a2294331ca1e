"""The in-process two-node cluster of the test harness, with a link you can cut.

Everything is real but in one trio run: a witness on a loopback port, two
``ClusterNode``s, each serving its replication endpoint with trio-websocket on
a loopback port, and one ``LinkProxy`` (a TCP proxy) in front of each
endpoint, so that the link between the nodes can be cut (both ways or one
way), delayed and healed. Documented in docs/harness.md ("The two-node cluster").
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import trio

from frontdesk.adapters.replication.endpoints import serve_replication
from frontdesk.adapters.replication.gate import ReplicaJournal
from frontdesk.adapters.replication.node import ClusterNode, EngineFactory
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.adapters.witness.server import serve as serve_witness
from frontdesk.engine.journal import MemoryJournal

Direction = Literal["both", "forward", "backward"]


class LinkProxy:
    """A loopback TCP proxy to ``target_port``; ``forward`` is client -> target.

    A cut direction holds the bytes (a black hole, as a broken network looks
    to TCP) until ``heal()``; ``sever()`` closes every connection at once.
    """

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target_port = target_port
        self.port = 0
        self.delay_s = 0.0
        self._open = {"forward": trio.Event(), "backward": trio.Event()}
        self._open["forward"].set()
        self._open["backward"].set()
        self._conns: set[trio.CancelScope] = set()

    def cut(self, direction: Direction = "both") -> None:
        for d in ("forward", "backward"):
            if direction in (d, "both") and self._open[d].is_set():
                self._open[d] = trio.Event()

    def heal(self) -> None:
        for event in self._open.values():
            event.set()

    def sever(self) -> None:
        for scope in list(self._conns):
            scope.cancel()

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        listeners = await trio.open_tcp_listeners(0, host=self.host)
        self.port = listeners[0].socket.getsockname()[1]
        async with trio.open_nursery() as nursery:
            task_status.started(self.port)
            await trio.serve_listeners(self._handle, listeners, handler_nursery=nursery)

    async def _handle(self, client: trio.SocketStream) -> None:
        with trio.CancelScope() as scope:
            self._conns.add(scope)
            try:
                async with client:
                    up = await trio.open_tcp_stream(self.host, self.target_port)
                    async with up, trio.open_nursery() as nursery:
                        nursery.start_soon(self._pump, client, up, "forward", nursery.cancel_scope)
                        nursery.start_soon(self._pump, up, client, "backward", nursery.cancel_scope)
            except (OSError, trio.BrokenResourceError, trio.ClosedResourceError):
                pass
            finally:
                self._conns.discard(scope)

    async def _pump(
        self, src: trio.SocketStream, dst: trio.SocketStream, d: str, scope: trio.CancelScope
    ) -> None:
        try:
            while True:
                data = await src.receive_some(65536)
                if not data:
                    break
                await self._open[d].wait()
                if self.delay_s:
                    await trio.sleep(self.delay_s)
                await self._open[d].wait()
                await dst.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            scope.cancel()


@dataclass
class NodeSlot:
    """One node of the in-process cluster and what survives its 'crash' (the journal)."""

    name: str
    journal: ReplicaJournal
    settings: ClusterSettings
    proxy: LinkProxy
    node: ClusterNode | None = None
    scope: trio.CancelScope | None = None
    repl_port: int = 0
    history: list[ClusterNode] = field(default_factory=list)
    stopped: trio.Event = field(default_factory=trio.Event)  # its last run has ended
    monotonic: Callable[[], float] = time.monotonic  # the node's clock (its lease, its gate)


class SkewedClock:
    """``time.monotonic`` plus an offset that a test moves forward (``jump``): the node
    then sees its lease run out at once, as after a pause, while the witness does not."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


class InProcessCluster:
    """Two nodes and a witness in one trio run. Use ``open_cluster``."""

    def __init__(
        self,
        nursery: trio.Nursery,
        witness_url: str,
        make_settings: Callable[[str, str], ClusterSettings],
        engine_factory: EngineFactory | None,
        *,
        default_capacity: int = 3,
        checkpoints: Callable[[str], CheckpointStore | None] | None = None,
    ) -> None:
        self._nursery = nursery
        self.default_capacity = default_capacity  # the engines' (their hot standby folds it)
        self.checkpoints = checkpoints or (lambda name: None)
        self.witness_url = witness_url
        self._make_settings = make_settings
        self.engine_factory = engine_factory
        self.slots: dict[str, NodeSlot] = {}
        self._changed = trio.Event()

    def _notify(self) -> None:
        self._changed.set()

    def __getitem__(self, name: str) -> ClusterNode:
        node = self.slots[name].node
        if node is None:
            raise KeyError(f"node {name} is down")
        return node

    def link(self, name: str) -> LinkProxy:
        """The proxy in front of ``name``'s replication endpoint (cut it to isolate it)."""
        return self.slots[name].proxy

    def cut(self, direction: Direction = "both") -> None:
        """Cut the link between the two nodes (``forward``: towards each node's endpoint)."""
        for slot in self.slots.values():
            slot.proxy.cut(direction)

    def heal(self) -> None:
        for slot in self.slots.values():
            slot.proxy.heal()

    def primary(self) -> ClusterNode | None:
        live = [s.node for s in self.slots.values() if s.node is not None and s.node.is_primary]
        return max(live, key=lambda n: n.epoch) if live else None

    async def start(self, name: str) -> ClusterNode:
        """Start (or restart, on the same journal) node ``name``; returns once settled."""
        slot = self.slots[name]
        node = ClusterNode(
            slot.settings,
            slot.journal,
            self.engine_factory,
            monotonic=slot.monotonic,
            checkpoints=self.checkpoints(name),
            default_capacity=self.default_capacity,
        )
        node.watchers.append(self._notify)
        slot.node = node
        slot.history.append(node)
        scope = trio.CancelScope()
        slot.scope = scope
        started = trio.Event()
        stopped = slot.stopped = trio.Event()

        async def life(task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
            try:
                with scope:
                    async with trio.open_nursery() as inner:
                        port = await inner.start(
                            serve_replication, node, "127.0.0.1", slot.repl_port
                        )
                        slot.repl_port = port
                        slot.proxy.target_port = port
                        await inner.start(node.run)
                        started.set()
            finally:
                started.set()
                stopped.set()

        self._nursery.start_soon(life)
        await started.wait()
        return node

    def kill(self, name: str) -> None:
        """Stop the node at once, as a crash would (its journal stays as it is).

        A dead node writes and acknowledges nothing more: its gate is fenced first, so
        a commit waiting for the backup's ack is released at once (refused
        ``not_primary``, never acknowledged) and the engine stops without waiting for a
        flush that could not come. ``await down(name)`` waits until it has stopped."""
        slot = self.slots[name]
        if slot.node is not None:
            slot.node.gate.fence()
        if slot.scope is not None:
            slot.scope.cancel()
        slot.proxy.sever()
        slot.node = None

    async def down(self, name: str) -> None:
        """Wait until node ``name``'s last run has ended (engine stopped, actors gone)."""
        await self.slots[name].stopped.wait()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds; it is checked at every change of either node
        (role, epoch, link, acks, records applied, engine started)."""
        with trio.fail_after(timeout):
            while not predicate():
                self._changed = trio.Event()
                await self._changed.wait()


def default_settings(**overrides: object) -> Callable[[str, str], ClusterSettings]:
    """Settings maker: (name, peer_url) -> ClusterSettings with fast, test-sized timings."""

    def make(name: str, peer_url: str) -> ClusterSettings:
        base = ClusterSettings(
            node_name=name,
            role="primary" if name == "a" else "backup",
            advertise_url="",
            peer_url=peer_url,
            witness_url="",
            mode="sync",
            heartbeat_interval_s=0.1,
            failover_timeout_s=1.0,
            lease_s=0.8,
            sync_timeout_s=0.5,
            secret="s3cret",
        )
        return replace(base, **overrides)  # type: ignore[arg-type]

    return make


@contextlib.asynccontextmanager
async def open_cluster(
    tmp_path: Path | None = None,
    *,
    engine_factory: EngineFactory | None = None,
    journals: Callable[[str], ReplicaJournal] | None = None,
    settings: Callable[[str, str], ClusterSettings] | None = None,
    start: bool = True,
    default_capacity: int = 3,
    checkpoints: Callable[[str], CheckpointStore | None] | None = None,
    clocks: dict[str, Callable[[], float]] | None = None,
) -> AsyncIterator[InProcessCluster]:
    """Witness + nodes ``a`` (starts as primary) and ``b`` (backup), ready to use.

    ``journals(name)`` makes each node's journal (default: ``MemoryJournal``;
    pass ``lambda n: SqlJournal(tmp_path / f"{n}.sqlite3")`` for real files).
    With ``start`` the cluster waits until ``a`` is primary and ``b`` caught up.
    ``default_capacity`` is the engines' (``engine_factory``'s) setting, which the
    nodes' hot standby folds with; ``checkpoints(name)`` gives a node its checkpoint
    store (default: none).
    ``clocks`` gives a node another monotonic clock (e.g. a ``SkewedClock``).
    """
    make_journal = journals or (lambda name: MemoryJournal())
    make_settings = settings or default_settings()
    state_dir = tmp_path if tmp_path is not None else Path(".")
    async with trio.open_nursery() as nursery:
        witness_port = await nursery.start(
            serve_witness, state_dir / "witness.json", "127.0.0.1", 0, make_settings("a", "").secret
        )
        witness_url = f"ws://127.0.0.1:{witness_port}/"
        cluster = InProcessCluster(
            nursery,
            witness_url,
            make_settings,
            engine_factory,
            default_capacity=default_capacity,
            checkpoints=checkpoints,
        )
        proxies = {name: LinkProxy(0) for name in ("a", "b")}
        for proxy in proxies.values():
            await nursery.start(proxy.run)
        for name, other in (("a", "b"), ("b", "a")):
            own = f"ws://127.0.0.1:{proxies[name].port}/ws/replication"
            peer = f"ws://127.0.0.1:{proxies[other].port}/ws/replication"
            conf = replace(make_settings(name, peer), advertise_url=own, witness_url=witness_url)
            slot = NodeSlot(name, make_journal(name), conf, proxies[name])
            slot.monotonic = (clocks or {}).get(name, time.monotonic)
            cluster.slots[name] = slot
        if start:
            await cluster.start("a")
            await cluster.wait_for(cluster["a"].accepts_writes)
            await cluster.start("b")
            await cluster.wait_for(lambda: cluster["a"].standby_reported in ("b", "*"))
        try:
            yield cluster
        finally:
            nursery.cancel_scope.cancel()
