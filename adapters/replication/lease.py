"""The primary's lease: asking the witness for it, renewing it, reporting the standby.

Whatever goes wrong with the witness — unreachable, paused, answering an error (it
could not save its book), answering nonsense — is one thing here: no answer. A
primary then fences itself when its lease runs out and keeps asking; it never stops.

``LeaseKeeper.request`` performs the machine's ``RequestLease``; the keeper's
renewal thread (``renewal.py``: its own thread and trio loop, so no other work on
the node delays it) renews the lease of a primary every ``lease_s / 4`` (retrying
at once after a failed attempt, each attempt bounded by what is left of it) and tells
the witness which standby is in sync (``ReplicationGate.standby_in_sync``).
When the gate's waiters stall (the backup stopped acknowledging), the next
renewal reports no standby, and only once the witness confirmed it are the
waiters released (``ReplicationGate.degraded``): from then on the witness will
not promote the backup, so acknowledging without it loses nothing.

The keeper sees the node through ``LeaseHost`` (its settings, role state, clock, witness
and gate, the role machine's ``feed``, and what it tells the node: ``primary_named``,
``standby_reported_to``), and the primary's end of the link through ``HandoverLink``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import trio

from frontdesk.adapters.replication.gate import ReplicationGate
from frontdesk.adapters.replication.renewal import LEASE_MARGIN, RenewalThread
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.witness.book import Granted, Refused, WitnessError
from frontdesk.adapters.witness.client import WitnessClient
from frontdesk.engine.cluster import (
    HandoverFailed,
    HigherEpochSeen,
    Input,
    LeaseExpired,
    LeaseGranted,
    LeaseRefused,
    NodeState,
    Role,
    WritesRefused,
)

log = logging.getLogger("frontdesk.cluster")


class HandoverLink(Protocol):
    """The primary's end of the link, as a switchover uses it (``ReplicationSource``)."""

    async def caught_up_to(self, seq: int) -> None: ...

    async def send_handover(self, epoch: int) -> bool: ...


class LeaseHost(Protocol):
    """What the lease keeper uses of the node (``ClusterNode`` satisfies it; so it is also
    the renewal thread's ``RenewalNode``)."""

    @property
    def settings(self) -> ClusterSettings: ...
    @property
    def state(self) -> NodeState: ...
    @property
    def monotonic(self) -> Callable[[], float]: ...
    @property
    def witness(self) -> WitnessClient: ...
    @property
    def gate(self) -> ReplicationGate: ...
    @property
    def source(self) -> HandoverLink: ...
    @property
    def serving(self) -> bool: ...
    @property
    def backup_name(self) -> str | None: ...

    def feed(self, event: Input) -> None: ...

    def call_soon(self, fn: Callable[[], object]) -> None: ...

    def engine_fenced(self) -> bool: ...

    async def stop_engine(self) -> None: ...

    def primary_named(self, url: str) -> None: ...

    def standby_reported_to(self, standby: str | None) -> None: ...


class LeaseKeeper:
    def __init__(self, node: LeaseHost) -> None:
        self.node = node
        self.inflight = False
        self.granted_until = 0.0  # monotonic end of the lease the last acquire got
        self.fresh_grant = False  # that acquire started a new epoch
        self.degrade_asked = False  # the next renewal reports no standby (gate stalled)
        self.generation = 0  # of the renewal thread now running (renewal.py)
        self._runner: RenewalThread | None = None

    def renew_soon(self) -> None:
        if self._runner is not None:
            self._runner.wake()

    async def request(self) -> None:
        """Ask the witness for the lease (RequestLease); feed the answer to the node."""
        node = self.node
        try:
            sent = node.monotonic()
            try:
                answer = await node.witness.acquire(
                    node.settings.node_name,
                    node.settings.advertise_url,
                    node.state.epoch,
                    node.settings.lease_s,
                )
            except WitnessError as e:
                log.warning("%s", e)
                if node.state.role is Role.FENCED:
                    await trio.sleep(node.settings.lease_s / 4)
                self.inflight = False
                node.feed(LeaseRefused(node.state.epoch, None))
                return
            self.inflight = False
            if isinstance(answer, Granted) and not await self._standby_cleared(answer):
                if node.state.role is Role.FENCED:
                    await trio.sleep(node.settings.lease_s / 4)
                node.feed(LeaseRefused(node.state.epoch, None))
                return
            if isinstance(answer, Granted):
                self.granted_until = sent + answer.lease_s * LEASE_MARGIN
                # a new epoch starts with no standby at the witness: nothing to wait for
                self.fresh_grant = answer.epoch > node.state.epoch
                node.feed(LeaseGranted(answer.epoch))
            else:
                if answer.holder_url and answer.holder != node.settings.node_name:
                    node.primary_named(answer.holder_url)
                log.info("lease refused: %s", answer.reason)
                if node.state.role is Role.FENCED and answer.epoch <= node.state.epoch:
                    await trio.sleep(node.settings.lease_s / 4)
                node.feed(LeaseRefused(answer.epoch, answer.holder))
        finally:
            self.inflight = False

    async def _standby_cleared(self, answer: Granted) -> bool:
        """Whether writes may resume on ``answer``. A grant of the epoch the node holds
        changes nothing in the witness's book, which still names the standby last
        reported, so if the gate stalled (``degrade_asked``) the witness must first
        record that there is none (a renewal with no standby, which it has to save).
        Otherwise a witness that cannot save would let the node resume, stall on the
        dead backup again, fence, and so on, an engine started at every turn."""
        node = self.node
        if not self.degrade_asked or answer.epoch != node.state.epoch:
            return True
        try:
            renewed = await node.witness.renew(
                node.settings.node_name, answer.epoch, node.settings.lease_s, None
            )
        except WitnessError as e:
            log.warning("lease granted, but the witness cannot record no standby: %s", e)
            return False
        if not isinstance(renewed, Granted):
            log.info("lease granted, then refused with no standby: %s", renewed.reason)
            return False
        self.degrade_reported()
        node.gate.degraded()  # the witness knows: the waiting writers may go
        log.warning("backup not in sync: the witness will not promote it")
        return True

    def start_keeper(self) -> None:
        """Renew the lease of the current epoch from now on, on its own thread."""
        self.stop_keeper()
        self.generation += 1
        self._runner = RenewalThread(self, self.node, self.generation, self.node.state.epoch)
        self._runner.start()

    def stop_keeper(self) -> None:
        self.generation += 1  # whatever the old renewer still posts is dropped
        if self._runner is not None:
            self._runner.stop()
            self._runner = None

    # -- what the renewal thread posts to the node's loop (renewal.py) ------------------

    def degrade_reported(self) -> None:
        """The witness was told there is no standby in sync (renewal thread)."""
        self.degrade_asked = False

    def renewed(self, standby: str | None) -> None:
        node = self.node
        node.standby_reported_to(standby)
        if node.serving and node.engine_fenced():  # refused under us: never claim it
            node.feed(WritesRefused())

    def refused(self, answer: Refused) -> None:
        node = self.node
        if answer.holder_url and answer.holder != node.settings.node_name:
            node.primary_named(answer.holder_url)
        node.feed(LeaseRefused(answer.epoch, answer.holder))

    def expired(self) -> None:
        self.node.feed(LeaseExpired())

    def stall_from_thread(self) -> None:
        """The gate's waiters timed out (store thread): renew at once with no standby."""
        self.degrade_asked = True
        self.node.call_soon(self.renew_soon)

    async def hand_over(self, epoch: int) -> None:
        """Switchover: once the backup acked everything, release the lease to it, tell it
        to take over, and follow it when its epoch shows at the witness."""
        node = self.node
        settings = node.settings
        with trio.move_on_after(settings.failover_timeout_s * 2):
            await node.source.caught_up_to(node.gate.appended)
        await node.stop_engine()
        successor = node.backup_name
        why = ""
        if node.gate.acked < node.gate.appended or successor is None:
            why = f"backup {successor} at seq {node.gate.acked} of {node.gate.appended}"
        else:
            try:
                answer = await node.witness.release(settings.node_name, epoch, successor)
                if not isinstance(answer, Granted):
                    why = f"the witness refused the release: {answer.reason}"
                elif not await node.source.send_handover(epoch):
                    why = "the link to the backup closed"
            except WitnessError as e:
                why = str(e)
        ok = not why
        if ok:
            # wait for the successor's epoch; then follow it
            with trio.move_on_after(settings.failover_timeout_s * 2):
                while True:
                    try:
                        status = await node.witness.status()
                    except WitnessError:
                        status = {}
                    if int(status.get("epoch", epoch)) > epoch:
                        node.primary_named(str(status.get("url") or ""))
                        node.feed(HigherEpochSeen(int(status["epoch"])))
                        return
                    await trio.sleep(settings.heartbeat_interval_s)
        log.warning(
            "switchover to %s did not complete (%s); keeping the role",
            successor,
            why or "its epoch did not show at the witness",
        )
        node.feed(HandoverFailed())
