"""The primary's lease renewal, on a thread of its own with its own trio loop.

Why a thread: a renewal is one small round trip every ``lease_s / 4``, but on the
node's main trio loop it waits its turn behind every other ready task — hundreds of
client sockets, the replication link, HTTP polls — and a burst of writes delayed it
past the lease (measured: a 0.4 s lease under 40 visitors writing as fast as they
could fenced the primary 11 times in 15 s). Trio has no task priorities; a thread of
its own is the priority: it runs whenever it holds the GIL, which a waiting thread
gets within ``sys.getswitchinterval()``, whatever the main loop is doing. It has its
own witness connection for the same reason.

What it touches from its thread is thread-safe: the gate (``extend``, ``degraded``,
``lease_left``, ``standby_in_sync``) and the node's monotonic clock. Everything else —
feeding the role machine, reporting the standby — is posted to the main loop
(``ClusterNode.call_soon``), tagged with the keeper's generation: the answer of a
keeper that was stopped meanwhile is dropped there.

The thread is handed exactly that: a ``RenewalNode`` (settings, gate, clock, ``call_soon``)
and a ``RenewalKeeper`` (its generation, whether to report no standby, and what it posts).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Protocol

import trio

from frontdesk.adapters.replication.gate import ReplicationGate
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.witness.book import Answer, Granted, Refused, WitnessError
from frontdesk.adapters.witness.client import WitnessClient

log = logging.getLogger("frontdesk.cluster")

LEASE_MARGIN = 0.9  # count our lease as 90 % of what the witness grants, from the send time


class RenewalNode(Protocol):
    """What the renewal thread uses of the node: the thread-safe parts, and the way back."""

    @property
    def settings(self) -> ClusterSettings: ...
    @property
    def gate(self) -> ReplicationGate: ...
    @property
    def monotonic(self) -> Callable[[], float]: ...

    def call_soon(self, fn: Callable[[], object]) -> None: ...


class RenewalKeeper(Protocol):
    """The lease keeper, as its renewal thread sees it (``LeaseKeeper``)."""

    @property
    def generation(self) -> int: ...
    @property
    def degrade_asked(self) -> bool: ...

    def degrade_reported(self) -> None: ...

    def renewed(self, standby: str | None) -> None: ...

    def refused(self, answer: Refused) -> None: ...

    def expired(self) -> None: ...


class RenewalThread:
    """Renews the lease of ``epoch`` until stopped, or until it ran out or was refused
    (then it posts ``LeaseExpired`` / ``LeaseRefused`` to the node and ends)."""

    def __init__(
        self, keeper: RenewalKeeper, node: RenewalNode, generation: int, epoch: int
    ) -> None:
        self.keeper = keeper
        self.node = node
        self.generation = generation
        self.epoch = epoch
        self._stopped = threading.Event()
        self._token: trio.lowlevel.TrioToken | None = None
        self._scope: trio.CancelScope | None = None
        self._wake: trio.Event | None = None
        self._thread = threading.Thread(
            target=self._main, name=f"lease-renewal-{generation}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._call(self._cancel)

    def wake(self) -> None:
        """Renew now (any thread)."""
        self._call(self._set_wake)

    def _call(self, fn: Callable[[], None]) -> None:
        token = self._token
        if token is not None:
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(fn)

    def _cancel(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _main(self) -> None:
        try:
            trio.run(self._run)
        except BaseException:  # never silently: a dead renewer must fence the node
            log.exception("the lease renewal thread failed")
            self._post(self.keeper.expired)

    async def _run(self) -> None:
        settings = self.node.settings
        self._token = trio.lowlevel.current_trio_token()
        with trio.CancelScope() as scope:
            self._scope = scope
            if self._stopped.is_set():
                return
            witness = WitnessClient(
                settings.witness_url, settings.lease_s / 2, secret=settings.secret,
                node=settings.node_name,
            )
            async with trio.open_nursery() as nursery:
                await nursery.start(witness.serve)
                await self._renew_until_over(witness)
                nursery.cancel_scope.cancel()

    async def _renew_until_over(self, witness: WitnessClient) -> None:
        """Renew every lease_s / 4; after a failed attempt retry at once, each attempt
        bounded by what is left of the lease; end when it runs out unconfirmed."""
        keeper = self.keeper
        node = self.node
        gate = node.gate
        settings = node.settings
        while not self._stopped.is_set():
            self._wake = trio.Event()
            degrade = keeper.degrade_asked
            standby = None if degrade else gate.standby_in_sync()
            sent = node.monotonic()
            answer: Answer | None = None
            with trio.move_on_after(max(0.05, min(settings.lease_s / 2, gate.lease_left()))):
                try:
                    answer = await witness.renew(
                        settings.node_name, self.epoch, settings.lease_s, standby
                    )
                except WitnessError as e:
                    log.warning("lease renewal failed: %s", e)
            if self._stopped.is_set():
                return
            if isinstance(answer, Granted):
                gate.extend(sent + answer.lease_s * LEASE_MARGIN)
                if degrade:
                    keeper.degrade_reported()
                    gate.degraded()  # the witness knows: the waiting writers may go
                    log.warning("backup not in sync: the witness will not promote it")
                self._post(keeper.renewed, standby)
            elif answer is not None:
                self._post(keeper.refused, answer)
                return
            if not gate.lease_valid():
                self._post(keeper.expired)
                return
            pause = settings.lease_s / 4 if answer is not None else settings.lease_s / 20
            with trio.move_on_after(pause):
                await self._wake.wait()

    def _post(self, fn: Callable[..., None], *args: object) -> None:
        """Run ``fn(*args)`` on the node's loop, unless this keeper was replaced."""
        keeper = self.keeper

        def run() -> None:
            if keeper.generation == self.generation:
                fn(*args)

        self.node.call_soon(run)
