"""Watching a process cluster from outside while a fault runs: health polls, talkers, witness.

``HealthLog`` polls ``/healthz`` of every node every 50 ms and keeps what each
answered (and when), so a test can check afterwards that the nodes told the
truth at every poll: never two writers in one epoch, and no node that kept
saying ``accepts_writes: true`` while it refused every write with
``not_primary``. ``Talkers`` are visitors that keep saying messages and log
each acknowledgement and each refusal with the node that gave it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import trio
from failover_procs import NodeProc, ProcCluster

from frontdesk.adapters.client import RefusedError, VisitorClient
from frontdesk.adapters.client.http import ClientError, http_request
from frontdesk.adapters.witness.client import WitnessClient, WitnessUnavailableError

POLL_S = 0.05  # the sampling period of the health log


async def healthz(node: NodeProc) -> dict[str, Any] | None:
    """``GET /healthz`` (200 or 503, both with a JSON body); None if it did not answer."""
    try:
        with trio.move_on_after(1.0):
            response = await http_request("GET", f"{node.url}/healthz", timeout_s=1.0)
            body = json.loads(response.body)
            if isinstance(body, dict):
                body["http_status"] = response.status
                return body
    except (ClientError, OSError, ValueError):
        return None
    return None


@dataclass
class Sample:
    t: float
    node: str
    body: dict[str, Any]


@dataclass
class HealthLog:
    nodes: list[NodeProc]
    samples: list[Sample] = field(default_factory=list)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        while True:
            for node in self.nodes:
                body = await healthz(node)
                if body is not None:
                    self.samples.append(Sample(trio.current_time(), node.name, body))
            await trio.sleep(POLL_S)  # the sampling period

    def of(self, name: str) -> list[Sample]:
        return [s for s in self.samples if s.node == name]

    def two_writers(self) -> list[tuple[Sample, Sample]]:
        """Pairs of polls (within one period) where both nodes accepted writes in one epoch."""
        found = []
        writers = [s for s in self.samples if s.body.get("accepts_writes")]
        for i, s in enumerate(writers):
            for o in writers[i + 1 :]:
                if o.t - s.t > POLL_S * 2:
                    break
                if o.node != s.node and o.body["epoch"] == s.body["epoch"]:
                    found.append((s, o))
        return found

    def inconsistent(self, body: dict[str, Any]) -> bool:
        """A body that contradicts itself: 200 without accepting writes, or the reverse."""
        writes = bool(body.get("accepts_writes"))
        return (body["http_status"] == 200) != writes or bool(body.get("ready")) != writes

    def claimed_writable(self, name: str, t0: float, t1: float) -> bool:
        """Every poll of ``name`` in [t0, t1] said accepts_writes (and there was one)."""
        polls = [s for s in self.of(name) if t0 <= s.t <= t1]
        return bool(polls) and all(s.body.get("accepts_writes") for s in polls)


@dataclass
class Talkers:
    """Visitors saying a message every ``pace_s``; a refused message is logged and sent
    again with the same ``ref`` (the engine dedupes by ref: it may be durable already)."""

    cluster: ProcCluster
    count: int = 8
    pace_s: float = 0.1
    acked: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    refusals: list[tuple[float, str, str]] = field(default_factory=list)  # (t, node url, code)
    acks_at: list[float] = field(default_factory=list)
    acks_by: list[tuple[float, str]] = field(default_factory=list)  # (t, node url)
    stop: trio.Event = field(default_factory=trio.Event)
    clients: list[VisitorClient] = field(default_factory=list)

    async def run(self, nursery: trio.Nursery) -> None:
        urls = [n.url for n in self.cluster.nodes.values()]
        for i in range(self.count):
            client = VisitorClient(urls, ping_interval_s=0.2, ping_timeout_s=0.5,
                                   connect_timeout_s=1.0)
            await nursery.start(client.run)
            self.clients.append(client)
            nursery.start_soon(self._talk, i, client)

    async def _talk(self, i: int, client: VisitorClient) -> None:
        dialog = str((await client.open(f"talker {i}", timeout=30))["dialog"])
        self.acked[dialog] = []
        n = 0
        while not self.stop.is_set():
            text = f"t{i} m{n}"
            try:
                got = await client.say(text, ref=f"t{i}-m{n}", timeout=30)
            except RefusedError as e:
                self.refusals.append((trio.current_time(), client.url, str(e.code)))
            else:
                self.acked[dialog].append((int(got["seq"]), text))
                self.acks_at.append(trio.current_time())
                self.acks_by.append((self.acks_at[-1], client.url))
                n += 1
            await trio.sleep(self.pace_s)  # pacing: a person types, then waits

    def acks_after(self, t: float) -> int:
        return sum(1 for a in self.acks_at if a > t)

    def lies(self, log: HealthLog, names: dict[str, str], window_s: float = 1.0) -> list[Any]:
        """Refusals from a node that kept saying ``accepts_writes`` at every poll for
        ``window_s`` afterwards while acknowledging nothing: a wedge dressed as health."""
        found = []
        for t, url, code in self.refusals:
            name = names[url]
            if log.claimed_writable(name, t, t + window_s) and not any(
                t <= at <= t + window_s and u == url for at, u in self.acks_by
            ):
                found.append((t, name, code))
        return found

    async def aclose(self) -> None:
        self.stop.set()
        for c in self.clients:
            with trio.move_on_after(2):
                await c.aclose()


async def witness_status(cluster: ProcCluster) -> dict[str, Any] | None:
    client = WitnessClient(f"ws://127.0.0.1:{cluster.witness_port}/", 1.0,
                           secret=cluster.secret, node="test")
    try:
        return await client.status()
    except WitnessUnavailableError:
        return None


async def until(predicate: Any, timeout: float, what: str) -> None:
    """Poll ``predicate()`` (sync or async) every 50 ms until true, else fail naming ``what``."""
    with trio.move_on_after(timeout):
        while True:
            got = predicate()
            if not isinstance(got, bool):
                got = await got
            if got:
                return
            await trio.sleep(POLL_S)
    raise AssertionError(f"within {timeout} s: {what}")
