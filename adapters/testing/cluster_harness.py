"""``ClusterHarness``: the in-process two-node cluster driven like ``EngineHarness``.

    async with open_cluster_harness() as ch:
        a = ch.node("a")
        ann = await a.login("ann")
        vera = a.visitor("Vera")
        await vera.open()
        await vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
        ch.kill("a")
        b = await ch.promote("b")          # every handle now watches on b
        assert isinstance(await vera.say("still there?"), notices.Ack)

Underneath is ``open_cluster`` (``frontdesk.adapters.testing.cluster``): a witness,
two ``ClusterNode``s with real engines (a ``ManualClock`` each) and the link
proxies. A ``NodeHandle`` reaches its node's engine through ``NodeEngine``,
the port the web server uses, so a command on a node that is not primary is
refused ``not_primary`` as a client would be. Documented in docs/harness.md
("The two-node cluster through handles").
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import trio

from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.replication.gate import ReplicaJournal
from frontdesk.adapters.replication.node import ClusterNode
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.testing.async_probe import AsyncProbe
from frontdesk.adapters.testing.cluster import InProcessCluster, open_cluster
from frontdesk.adapters.testing.cluster_handles import ClusterOperator, ClusterVisitor
from frontdesk.engine import commands, notices
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.journal import Journal, MemoryJournal
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import Probe

Answer = notices.Ack | notices.Rejected
NAMES = ("a", "b")


class NodeHandle:
    """One node of the cluster, as a test talks to it (``ClusterHarness.node(name)``)."""

    def __init__(self, harness: ClusterHarness, name: str) -> None:
        self.harness = harness
        self.name = name
        self._ports: dict[int, NodeEngine] = {}

    def __repr__(self) -> str:
        return f"NodeHandle({self.name!r})"

    @property
    def cluster_node(self) -> ClusterNode:
        """The live ``ClusterNode`` (``KeyError`` while the node is down)."""
        return self.harness.cluster[self.name]

    @property
    def engine(self) -> NodeEngine:
        """The node's ``EnginePort`` (refuses ``not_primary`` unless it accepts writes)."""
        node = self.cluster_node
        port = self._ports.get(id(node))
        if port is None or port.node is not node:
            port = self._ports[id(node)] = NodeEngine(node)
        return port

    @property
    def role(self) -> str:
        return self.cluster_node.role

    @property
    def epoch(self) -> int:
        return self.cluster_node.epoch

    def accepts_writes(self) -> bool:
        node = self.harness.cluster.slots[self.name].node
        return node is not None and node.accepts_writes()

    def ref(self) -> str:
        return self.harness.ref()

    def probe(self, name: str = "probe") -> AsyncProbe:
        """A probe that fails at once when the primary's engine is settled (see ``Probe``)."""
        return AsyncProbe(Probe(name, settled=self.harness.settled))

    def snapshot(self) -> dict[str, Any]:
        return self.engine.snapshot()

    def watch_dialog(self, dialog: str, subscriber: notices.Subscriber, **kwargs: Any) -> None:
        self.engine.watch_dialog(dialog, subscriber, **kwargs)

    def watch_operator(self, operator_id: str, subscriber: notices.Subscriber) -> None:
        self.engine.watch_operator(operator_id, subscriber)

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until this node's engine has nothing left to do (no engine: nothing to do)."""
        engine = self.cluster_node.engine
        if isinstance(engine, Engine) and not await trio.to_thread.run_sync(engine.settle, timeout):
            pending = engine.directory.pending()
            raise AssertionError(f"node {self.name} did not settle within {timeout} s: {pending}")

    async def command(self, command: commands.Command, timeout: float = 5.0) -> Answer:
        """Submit to this node, wait for the one Ack or Rejected, settle, return it."""
        answer = AsyncProbe(Probe(f"answer to {commands.action(command)} on node {self.name}"))
        self.engine.submit(command, answer.probe)
        got = await answer.expect((notices.Ack, notices.Rejected), timeout)
        await self.settle(timeout)
        assert isinstance(got, notices.Ack | notices.Rejected)
        return got

    async def login(
        self,
        operator_id: str,
        name: str | None = None,
        capacity: int | None = None,
        status: Status = Status.CONNECTED,
    ) -> ClusterOperator:
        """Log an operator in on this node; its probe watches it."""
        handle = ClusterOperator(self, operator_id, name or operator_id.capitalize())
        answer = await self.command(
            commands.OperatorLogin(operator_id, handle.name, capacity, ref=self.ref())
        )
        if not isinstance(answer, notices.Ack):
            raise AssertionError(f"login of {operator_id} on node {self.name} refused: {answer}")
        self.harness.handles.append(handle)
        self.watch_operator(operator_id, handle.probe.probe)
        if status is not Status.CONNECTED:
            await handle.set_status(status)
        await self.settle()
        return handle

    def visitor(self, name: str = "Visitor", priority: int = 0) -> ClusterVisitor:
        """A visitor on this node (``await visitor.open()`` starts its dialog)."""
        handle = ClusterVisitor(self, name, priority)
        self.harness.handles.append(handle)
        return handle


class ClusterHarness:
    """Two nodes and a witness with engines, driven through handles. Use
    ``open_cluster_harness``; ``cluster`` is the ``InProcessCluster`` underneath."""

    def __init__(self, cluster: InProcessCluster) -> None:
        self.cluster = cluster
        self.handles: list[ClusterOperator | ClusterVisitor] = []
        self._nodes = {name: NodeHandle(self, name) for name in NAMES}
        self._refs = itertools.count(1)

    def node(self, name: str) -> NodeHandle:
        if name not in self._nodes:
            raise KeyError(f"no node {name!r}: the nodes are {', '.join(NAMES)}")
        return self._nodes[name]

    def primary(self) -> NodeHandle | None:
        """The node that accepts writes in the highest epoch, if any."""
        node = self.cluster.primary()
        return None if node is None else self._nodes[node.settings.node_name]

    def ref(self) -> str:
        return f"c{next(self._refs)}"

    def settled(self) -> bool:
        """True when the primary's engine has nothing left to do (probes fail early then)."""
        node = self.cluster.primary()
        engine = node.engine if node is not None and node.accepts_writes() else None
        return isinstance(engine, Engine) and engine.directory.settle(timeout=0)

    def kill(self, name: str) -> None:
        """Crash node ``name`` (see ``InProcessCluster.kill``)."""
        self.cluster.kill(name)

    async def down(self, name: str) -> None:
        await self.cluster.down(name)

    async def start(self, name: str) -> NodeHandle:
        """Start node ``name`` again on its journal; it rejoins by itself."""
        await self.cluster.start(name)
        return self._nodes[name]

    async def promote(self, name: str, timeout: float = 10.0) -> NodeHandle:
        """Make ``name`` the primary and move every handle to it.

        With the other node alive and primary, this is a switchover (it hands over
        once ``name`` has caught up); with it killed, this waits for the failover.
        """
        other = next(x for x in NAMES if x != name)
        peer = self.cluster.slots[other].node
        if peer is not None and peer.is_primary:
            await self.cluster.wait_for(lambda: peer.state.caught_up, timeout)
            await peer.switchover(timeout)
        target = self._nodes[name]
        await self.cluster.wait_for(target.accepts_writes, timeout)
        for handle in self.handles:
            await handle.move_to(target)
        return target

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        await self.cluster.wait_for(predicate, timeout)


@contextlib.asynccontextmanager
async def open_cluster_harness(
    tmp_path: Path | None = None,
    *,
    settings: EngineSettings | None = None,
    sqlite: bool = False,
    cluster_settings: Callable[[str, str], ClusterSettings] | None = None,
) -> AsyncIterator[ClusterHarness]:
    """A ``ClusterHarness`` whose node ``a`` is primary and ``b`` its backup in sync.

    ``settings`` configures both engines; ``sqlite`` puts each node's journal in an
    SQLite file under ``tmp_path`` (default: memory); ``cluster_settings`` is
    ``default_settings(...)`` of ``frontdesk.adapters.testing.cluster`` with other timings.
    """
    engine_settings = settings or EngineSettings()

    def factory(journal: Journal, epoch: int, fold: Fold | None) -> Engine:
        return Engine(engine_settings, journal, ManualClock(), epoch=epoch, fold=fold)

    with contextlib.ExitStack() as stack:
        folder = tmp_path or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        made: list[SqlJournal] = []

        def journals(name: str) -> ReplicaJournal:
            if not sqlite:
                return MemoryJournal()
            made.append(SqlJournal(folder / f"{name}.sqlite3"))
            return made[-1]

        try:
            async with open_cluster(
                folder,
                engine_factory=factory,
                journals=journals,
                settings=cluster_settings,
                default_capacity=engine_settings.default_capacity,
            ) as cluster:
                yield ClusterHarness(cluster)
        finally:
            for journal in made:
                journal.close()


__all__ = [
    "AsyncProbe",
    "ClusterHarness",
    "ClusterOperator",
    "ClusterVisitor",
    "NodeHandle",
    "open_cluster_harness",
]
