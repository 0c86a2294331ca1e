"""A cluster node: the role state machine (``frontdesk.engine.cluster``) with its I/O.

``ClusterNode.run`` verifies the journal, asks the witness for the lease (a
node configured as primary) or follows the primary (a backup), and from then
on feeds the machine its inputs — lease answers, heartbeats, link state,
acknowledgements — and performs the actions it returns: promote (raise the
epoch, start the engine, which replays the journal, so every replicated
dialog resumes — from the hot standby's state, ``hot_standby.py``: the
backup folds each replicated batch as it arrives, so nothing is replayed),
demote (stop the engine, follow the new primary, discarding
an unreplicated tail), fence writes, hand over.

The web server serves ``/ws/replication`` with ``replication_endpoint`` and
asks ``node.engine`` for the engine (``None`` unless this node is primary).

The helpers see the node through narrow interfaces declared beside them
(``LeaseHost``, ``RenewalNode``, ``SourceHost``, ``FollowerHost``, ``ReportedNode``,
``EngineHost``, ``ReplicationHost``), which this class satisfies structurally; what
they tell it is a method here saying what happened, or an input to ``feed``
(docs/architecture.md, "The cluster node and its helpers").
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import trio

from frontdesk.adapters.replication import report
from frontdesk.adapters.replication.accounts_link import AccountLink
from frontdesk.adapters.replication.files_link import FileLink
from frontdesk.adapters.replication.follower import ReplicationFollower
from frontdesk.adapters.replication.gate import GatedJournal, ReplicaJournal, ReplicationGate
from frontdesk.adapters.replication.hot_standby import HotState
from frontdesk.adapters.replication.lease import LeaseKeeper
from frontdesk.adapters.replication.mail_link import MailLink
from frontdesk.adapters.replication.protocol import EpochRuns
from frontdesk.adapters.replication.repair import verify_and_cut
from frontdesk.adapters.replication.row_link import RowLink
from frontdesk.adapters.replication.settings import ClusterSettings, replication_url
from frontdesk.adapters.replication.source import ReplicationSource
from frontdesk.adapters.replication.write_watch import WriteWatch
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.adapters.witness.client import WitnessClient
from frontdesk.engine.cluster import (
    Action,
    ClusterError,
    Demote,
    HandOver,
    Input,
    LinkDown,
    NodeState,
    Promote,
    RequestLease,
    ResumeWrites,
    Role,
    StopWrites,
    SwitchoverRequested,
    WritesRefused,
    initial,
    step,
)
from frontdesk.engine.journal import Journal, Record
from frontdesk.engine.replay import Fold
from frontdesk.engine.settings import EngineSettings

log = logging.getLogger("frontdesk.cluster")


class EngineHandle(Protocol):
    def start(self) -> Any: ...

    def stop(self) -> None: ...


# (journal, epoch, the state to start from or None to replay the journal) -> engine
EngineFactory = Callable[[Journal, int, Fold | None], EngineHandle]


class ClusterNode:
    def __init__(
        self,
        settings: ClusterSettings,
        journal: ReplicaJournal,
        engine_factory: EngineFactory | None = None,
        *,
        witness: WitnessClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        checkpoints: CheckpointStore | None = None,
        default_capacity: int = EngineSettings().default_capacity,
    ) -> None:
        self.settings = settings
        self.journal_raw = journal
        # an append that meets a lapsed lease waits for the renewal on its way (at most
        # one renewal attempt, lease_s / 2) instead of fencing the engine for good
        self.gate = ReplicationGate(
            settings.mode, settings.sync_timeout_s, monotonic, lapse_grace_s=settings.lease_s / 2
        )
        self.journal = GatedJournal(journal, self.gate)
        self.engine_factory = engine_factory
        self.witness = witness or WitnessClient(
            settings.witness_url,
            settings.lease_s / 2,
            secret=settings.secret,
            node=settings.node_name,
        )
        self.monotonic = monotonic
        self.state = NodeState(Role.BACKUP, journal.epoch())
        self.runs = EpochRuns()
        self.engine: EngineHandle | None = None
        self.settled = trio.Event()  # set once the first role is settled
        self.verify_problem: str | None = None
        self.discarded: list[Record] = []  # every record a truncation removed, in order
        self.source = ReplicationSource(self)
        self.lease = LeaseKeeper(self)
        self.write_watch = WriteWatch(self, settings.write_stall_bound_s)
        self.follower = ReplicationFollower(self)
        self.backup_name: str | None = None
        self.primary_last_seq = 0
        self.standby_reported: str | None = None  # what the witness last accepted from us
        self.history: list[tuple[float, str, int]] = []  # (monotonic, role, epoch) changes
        self.primary_hint_url = ""
        self._nursery: trio.Nursery | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self.serving = False  # primary with its engine started (or no engine to start)
        self.last_heard = monotonic()  # the last frame from the primary (set by the follower)
        self._engine_lock = trio.Lock()
        self._handover_done: trio.Event | None = None
        # set while a promotion sets up the gate: a backup that dials in meanwhile (the old
        # primary, right after a switchover) waits, so the promotion cannot reset its link
        self._promoted = trio.Event()
        self._promoted.set()
        self.watchers: list[Callable[[], None]] = []  # called on every change (trio thread)
        self.accounts_link: AccountLink | None = None  # set by serve: accounts replicate
        self.files_link: FileLink | None = None  # set by serve: dialogs' files replicate
        self.mail_link: MailLink | None = None  # set by serve: the mail outbox replicates
        # set by serve, by frame kind: the tables of rows that replicate (row_link.py): the
        # knowledge base's articles, the predefined answers, the offline messages
        self.row_links: dict[str, RowLink[Any]] = {}
        # the engine state the next engine starts from (only with an engine to start)
        self.hot = HotState(journal, checkpoints, default_capacity) if engine_factory else None

    # -- what the web server reads -------------------------------------------------

    @property
    def role(self) -> str:
        return self.state.role.value

    @property
    def epoch(self) -> int:
        return self.state.epoch

    @property
    def handing_over(self) -> bool:
        return self.state.handing_over

    @property
    def lag(self) -> int:
        if self.state.role is Role.PRIMARY or self.state.handing_over:
            return self.gate.lag
        return max(0, self.primary_last_seq - self.journal_raw.last()[1])

    @property
    def ready(self) -> bool:
        """Serving clients: primary, lease valid, engine started (web's ``NodeState``)."""
        return self.accepts_writes()

    @property
    def is_primary(self) -> bool:
        return self.state.role is Role.PRIMARY

    def accepts_writes(self) -> bool:
        """Primary, engine started and not fenced, lease valid now: what ``/healthz`` says."""
        return (
            self.state.role is Role.PRIMARY
            and self.serving
            and not self.engine_fenced()
            and self.gate.lease_valid()
        )

    def engine_fenced(self) -> bool:
        """The running engine's journal refused its epoch: it writes nothing any more."""
        return bool(getattr(self.engine, "fenced", False))

    def accepts_backups(self) -> bool:
        return self.state.role is Role.PRIMARY or self.state.handing_over

    async def promotion_settled(self, timeout_s: float) -> None:
        """Return once no promotion is setting up the gate (or after ``timeout_s``)."""
        with trio.move_on_after(timeout_s):
            await self._promoted.wait()

    def primary_hint(self) -> str:
        """The base URL of the node believed to be primary: this one only while it accepts
        writes (a node refusing ``not_primary`` never names itself), else the other."""
        if self.accepts_writes():
            return self.settings.advertise_url
        hint = self.primary_hint_url
        return hint if hint and hint != self.settings.advertise_url else self.settings.peer_url

    def follow_url(self) -> str:
        return replication_url(self.primary_hint_url or self.settings.peer_url)

    def health(self) -> dict[str, Any]:
        """For ``/healthz`` and ``/api/cluster``: role, epoch, lag, link state, readiness."""
        return report.health(self)

    def metrics_text(self) -> str:
        """Prometheus lines for ``/metrics``: role, epoch, link state, lag."""
        return report.metrics_text(self)

    # -- lifecycle -----------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        self._token = trio.lowlevel.current_trio_token()
        self.gate.on_stall = self.lease.stall_from_thread
        self.gate.on_appended = self._appended_from_thread
        self.gate.on_refused = lambda: self.call_soon(self.writes_refused)
        journal_ok = await trio.to_thread.run_sync(self._verify_and_repair)
        self.runs = await trio.to_thread.run_sync(self._read_all)
        self.gate.set_appended(self.journal_raw.last()[1])
        if self.hot is not None:
            await trio.to_thread.run_sync(self.hot.load)
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                if self.hot is not None:
                    nursery.start_soon(self.hot.keep_checkpoints)
                state, actions = initial(
                    Role(self.settings.role), self.journal_raw.epoch(), journal_ok
                )
                self._set_state(state)
                await nursery.start(self.witness.serve)
                nursery.start_soon(self.follower.watch_heartbeats)
                nursery.start_soon(self.write_watch.run)
                if state.role is Role.BACKUP:
                    await self._start_following()
                self._perform(actions)
                task_status.started()
                await trio.sleep_forever()
        finally:
            self._nursery = None  # closed: what is posted from now on is dropped
            self.lease.stop_keeper()
            with trio.CancelScope(shield=True):
                await self.stop_engine()

    def _read_all(self) -> EpochRuns:
        return EpochRuns(self.journal_raw.epoch_runs())  # counted by the database

    def _verify_and_repair(self) -> bool:
        self.verify_problem, cut = verify_and_cut(self.journal_raw)
        self.discarded.extend(cut)
        return self.verify_problem is None

    # -- feeding the machine ---------------------------------------------------------

    def feed(self, event: Input) -> None:
        if self._nursery is None:  # not running (stopped, or not started yet)
            log.debug("%s is not running: %s dropped", self.settings.node_name, event)
            return
        state, actions = step(self.state, event)
        self._set_state(state)
        self._perform(actions)

    def _set_state(self, state: NodeState) -> None:
        if (state.role, state.epoch) != (self.state.role, self.state.epoch) or not self.history:
            self.history.append((self.monotonic(), state.role.value, state.epoch))
            log.info("%s is %s of epoch %d", self.settings.node_name, state.role.value, state.epoch)
        self.state = state
        self.changed()

    def changed(self) -> None:
        for watcher in self.watchers:
            watcher()

    def watch_changes(self, watcher: Callable[[], None]) -> None:
        """Call ``watcher`` on every change of the node from now on (trio thread)."""
        self.watchers.append(watcher)

    def unwatch_changes(self, watcher: Callable[[], None]) -> None:
        self.watchers.remove(watcher)

    def _perform(self, actions: Sequence[Action]) -> None:
        assert self._nursery is not None
        for action in actions:
            if isinstance(action, StopWrites):
                self.gate.fence()
                self.lease.stop_keeper()
            elif isinstance(action, RequestLease):
                if not self.lease.inflight:
                    self.lease.inflight = True
                    self._nursery.start_soon(self.lease.request)
            elif isinstance(action, Promote):
                self._promoted = trio.Event()
                self._nursery.start_soon(self._promote, action.epoch)
            elif isinstance(action, ResumeWrites):
                self.gate.extend(self.lease.granted_until)
                self.gate.resume()
                self.lease.start_keeper()
                self._nursery.start_soon(self._resume_engine)
            elif isinstance(action, Demote):
                self.gate.fence()
                self.lease.stop_keeper()
                self._nursery.start_soon(self._demote, action.epoch)
            elif isinstance(action, HandOver):
                self._nursery.start_soon(self.lease.hand_over, action.epoch)
            else:  # pragma: no cover - the table holds no other action
                raise ClusterError(f"cannot perform {action!r}")

    async def switchover(self, timeout_s: float = 10.0) -> None:
        """Hand the primary role to the caught-up backup; returns once it holds it."""
        if self.state.role is not Role.PRIMARY:
            primary = self.primary_hint() or "unknown"
            raise ClusterError(
                f"this node ({self.settings.node_name}) is {self.role} of epoch {self.epoch}, "
                f"not the primary: a switchover is done by the primary ({primary})"
            )
        done = trio.Event()
        self._handover_done = done
        self.feed(SwitchoverRequested())  # raises ClusterError if the backup is not caught up
        with trio.fail_after(timeout_s):
            await done.wait()

    def nursery(self) -> trio.Nursery:
        assert self._nursery is not None, "the node is not running"
        return self._nursery

    def _appended_from_thread(self, seq: int) -> None:
        self.runs.extend_seq(self.gate.epoch, seq)
        self.call_soon(self.source.wake)

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run ``fn()`` on the node's loop (from any thread), unless the node's run has
        ended by then: a renewal thread's answer posted as the node stops would start
        tasks in a closed nursery, which trio reports as an internal error."""
        token = self._token
        if token is None:
            return

        def run() -> None:
            if self._nursery is not None:
                fn()

        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(run)

    # -- roles ------------------------------------------------------------------------

    async def _promote(self, epoch: int) -> None:
        """Stop following, raise the epoch, open the gate with no backup; only then may a
        backup connect (``promotion_settled``), and the engine starts."""
        try:
            await self._stop_following()
            await trio.to_thread.run_sync(self.journal_raw.raise_epoch, epoch)
            # (the runs are the follower's, kept with each batch: no read of the journal)
            self.gate.reset_acks(0)
            self.gate.open(epoch, self.lease.granted_until, acked=0)
            self.gate.set_appended(self.journal_raw.last()[1])
            if self.lease.fresh_grant:
                self.gate.degraded()
            self.lease.start_keeper()
        finally:
            self._promoted.set()
        await self._start_engine(epoch)
        self.settled.set()

    async def _demote(self, epoch: int) -> None:
        await self.stop_engine()
        if self.journal_raw.epoch() < epoch:
            await trio.to_thread.run_sync(self.journal_raw.raise_epoch, epoch)
        await self._start_following()
        self.settled.set()
        if self._handover_done is not None:
            self._handover_done.set()
            self._handover_done = None

    async def _start_engine(self, epoch: int) -> None:
        factory = self.engine_factory
        async with self._engine_lock:
            if factory is not None:
                fold = self.hot.take() if self.hot is not None else None
                engine = await trio.to_thread.run_sync(factory, self.journal, epoch, fold)
                await trio.to_thread.run_sync(engine.start)
                self.engine = engine
                if self.hot is not None:
                    self.hot.engine_started(engine)
            self.serving = self.state.role is Role.PRIMARY
            self.changed()

    async def stop_engine(self) -> None:
        async with self._engine_lock:
            self.serving = False
            engine, self.engine = self.engine, None
            if engine is not None:
                await trio.to_thread.run_sync(engine.stop)
                if self.hot is not None:
                    await trio.to_thread.run_sync(self.hot.engine_stopped, engine)

    async def _resume_engine(self) -> None:
        """Writes resume: keep the engine if no write was refused under it (it is as the
        journal is), else start a new one (a fenced engine never writes again).

        A kept engine serves again: one that finished starting while the node was fenced
        (the lease lapsed during a slow promotion) was left not serving, and keeping it
        so was a wedge — primary, lease renewed, ``accepts_writes`` false for good. The
        lock waits for a start under way, whose engine is then kept."""
        async with self._engine_lock:
            if self.engine is not None and not self.engine_fenced():
                self.serving = self.state.role is Role.PRIMARY
                self.changed()
                return
        await self.stop_engine()
        await self._start_engine(self.state.epoch)

    def writes_refused(self) -> None:
        """The gate refused an append (trio thread): a primary whose engine is now fenced
        steps down until the witness confirms its lease (``WritesRefused``)."""
        self.changed()
        if self.state.role is Role.PRIMARY and self.engine_fenced():
            log.warning("the engine's writes were refused under epoch %d: fencing", self.epoch)
            self.feed(WritesRefused())

    async def _start_following(self) -> None:
        await self.follower.start(self.nursery())

    async def _stop_following(self) -> None:
        await self.follower.stop()

    # -- what the lease keeper and the source tell the node (LeaseHost, SourceHost) ---

    def backup_connected(self, name: str) -> None:
        """``name`` is the backup now following this primary (and the standby it reports)."""
        self.backup_name = name
        self.gate.standby_name = name

    def primary_named(self, url: str) -> None:
        """The witness or the peer named the primary's base URL: follow it, and name it."""
        self.primary_hint_url = url

    def standby_reported_to(self, standby: str | None) -> None:
        """The witness accepted ``standby`` (or none) as the standby in sync."""
        if standby != self.standby_reported:
            self.standby_reported = standby
            self.changed()

    # -- what the follower tells the node (follower.py's FollowerHost) ----------------

    def primary_heard_at(self, now: float) -> None:
        """A frame came from the primary (or the wait for one starts) at ``now``."""
        self.last_heard = now

    def primary_reached(self, last_seq: int) -> None:
        """The primary says it holds everything up to ``last_seq``."""
        self.primary_last_seq = last_seq

    def records_followed(self, records: list[Record]) -> None:
        """``records`` (not empty) were appended here as the primary sent them."""
        self.runs.extend(records)
        self.primary_last_seq = max(self.primary_last_seq, records[-1].seq)

    def tail_discarded(self, from_seq: int, records: list[Record]) -> None:
        """The journal's tail after ``from_seq`` was cut (``records``): the primary lacks it."""
        self.runs.truncate(from_seq)
        self.discarded.extend(records)

    def role_settled(self) -> None:
        """The first role is settled (a backup: once it follows a primary)."""
        self.settled.set()

    def link_down(self) -> None:
        """The follower's link is down. A primary's (or fenced primary's) link is its
        backup's, which the source reports: a follower stopping late says nothing of it."""
        if self.state.link_up and self.state.role in (Role.BACKUP, Role.CANDIDATE):
            self.feed(LinkDown())
