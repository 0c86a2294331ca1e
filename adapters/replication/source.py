"""The primary's end of the link: handshake, stream records, heartbeats, acks.

One backup at a time: a new connection replaces the previous one (the old
session is cancelled). What the link learns (connected, acknowledged, gone) goes
from here to the gate (releasing writers) and to the node's role machine.
Records are read from the journal in a worker thread (SQLite reads block) in
batches, from the common prefix agreed at the handshake; once caught up the
sender sleeps until the store appends again (``wake``, called from the store's
thread through the trio token) or until a heartbeat is due.

The source sees the node through ``SourceHost``: its settings, role, journal and epoch runs,
gate, the links that cross with the records, the role machine's ``feed``, and what it tells
the node (``backup_connected``, ``changed``); the lease through ``LeaseNudge``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any, Protocol

import trio

from frontdesk.adapters.replication import accounts_link
from frontdesk.adapters.replication.accounts_link import AccountLink
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.files_link import FileLink
from frontdesk.adapters.replication.gate import ReplicaJournal, ReplicationGate
from frontdesk.adapters.replication.handshake import (
    LinkAuthError,
    authenticate_backup,
    refuse_unauthenticated,
    replication_key,
)
from frontdesk.adapters.replication.mail_link import MailLink
from frontdesk.adapters.replication.protocol import (
    EpochRuns,
    LinkClosedError,
    ReplicationError,
    common_prefix,
    int_field,
    records_frame,
)
from frontdesk.adapters.replication.row_link import RowLink
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.engine.cluster import (
    CaughtUp,
    FellBehind,
    HigherEpochSeen,
    Input,
    LinkDown,
    LinkUp,
    NodeState,
)
from frontdesk.engine.journal import Record

log = logging.getLogger("frontdesk.replication")


class LeaseNudge(Protocol):
    """The lease keeper, as the source uses it: renew now (``LeaseKeeper``)."""

    def renew_soon(self) -> None: ...


class SourceHost(Protocol):
    """What the primary's end of the link uses of the node (``ClusterNode`` satisfies it)."""

    @property
    def settings(self) -> ClusterSettings: ...
    @property
    def state(self) -> NodeState: ...
    @property
    def epoch(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def handing_over(self) -> bool: ...
    @property
    def journal_raw(self) -> ReplicaJournal: ...
    @property
    def runs(self) -> EpochRuns: ...
    @property
    def gate(self) -> ReplicationGate: ...
    @property
    def lease(self) -> LeaseNudge: ...
    @property
    def accounts_link(self) -> AccountLink | None: ...
    @property
    def files_link(self) -> FileLink | None: ...
    @property
    def mail_link(self) -> MailLink | None: ...
    @property
    def row_links(self) -> Mapping[str, RowLink[Any]]: ...

    def feed(self, event: Input) -> None: ...

    def accepts_backups(self) -> bool: ...

    async def promotion_settled(self, timeout_s: float) -> None: ...

    def primary_hint(self) -> str: ...

    def backup_connected(self, name: str) -> None: ...

    def changed(self) -> None: ...

    def watch_changes(self, watcher: Callable[[], None]) -> None: ...

    def unwatch_changes(self, watcher: Callable[[], None]) -> None: ...


class ReplicationSource:
    def __init__(self, node: SourceHost) -> None:
        self.node = node
        self._new_data = trio.Event()
        self._session: trio.CancelScope | None = None
        self._send_lock = trio.Lock()
        self._channel: Channel | None = None
        self.sessions = 0  # how many backups were served (tests, metrics)
        self.refused_unauthenticated = 0  # peers that failed the cluster authentication
        self._key = replication_key(node.settings.secret)

    def wake(self) -> None:
        """New records were appended (runs in the trio thread)."""
        self._new_data.set()

    async def send_handover(self, epoch: int) -> bool:
        channel = self._channel
        if channel is None:
            return False
        async with self._send_lock:
            try:
                await channel.send(
                    {"type": "repl.handover", "epoch": epoch, "last_seq": self.node.gate.appended}
                )
            except LinkClosedError:
                return False
        return True

    async def serve(self, channel: Channel) -> None:
        """Serve one backup until the link closes or this node stops being primary."""
        node = self.node
        timeout = node.settings.failover_timeout_s * 2
        try:
            with trio.fail_after(timeout):
                hello = await channel.receive("repl.hello")
            backup = await authenticate_backup(
                channel, self._key, node.settings.node_name, hello, timeout
            )
            their_epoch = int_field(hello, "epoch")
            runs = EpochRuns.from_wire(hello.get("runs", []))
            await node.promotion_settled(timeout)  # a promotion under way resets the acks
            if their_epoch > node.epoch:
                await self._refuse(channel, f"{backup} knows epoch {their_epoch}")
                node.feed(HigherEpochSeen(their_epoch))
                return
            if not node.accepts_backups():
                await self._refuse(channel, f"{node.settings.node_name} is {node.role}")
                return
            from_seq = common_prefix(node.runs, runs)
            await channel.send(
                {
                    "type": "repl.welcome",
                    "node": node.settings.node_name,
                    "epoch": node.epoch,
                    "from_seq": from_seq,
                    "last_seq": node.gate.appended,
                }
            )
        except LinkAuthError as e:
            self.refused_unauthenticated += 1
            log.warning("replication refused: %s", e)
            await refuse_unauthenticated(channel)
            return
        except (trio.TooSlowError, ReplicationError) as e:
            log.warning("replication handshake failed: %s", e)
            await channel.close(1002, "replication protocol error")
            return
        if self._session is not None:
            self._session.cancel()  # one backup at a time: the newest wins
        self.sessions += 1
        log.info("backup %s connected; streaming after seq %d", backup, from_seq)
        with trio.CancelScope() as scope:
            self._session = scope
            self._channel = channel
            self._connected(backup, from_seq)
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self._receive_acks, channel, nursery.cancel_scope)
                    try:
                        await self._stream(channel, from_seq)
                    except ReplicationError as e:
                        log.warning("replication link to %s closed: %s", backup, e)
                    nursery.cancel_scope.cancel()
            finally:
                if self._session is scope:
                    self._session = None
                    self._channel = None
                    node.feed(LinkDown())
        await channel.close()

    async def _refuse(self, channel: Channel, reason: str) -> None:
        log.info("replication refused: %s", reason)
        with contextlib.suppress(LinkClosedError):
            await channel.send(
                {
                    "type": "repl.refused",
                    "reason": reason,
                    "epoch": self.node.epoch,
                    "primary_url": self.node.primary_hint(),
                }
            )
        await channel.close()

    async def _stream(self, channel: Channel, cursor: int) -> None:
        node = self.node
        journal = node.journal_raw
        batch_size = node.settings.batch_records
        interval = node.settings.heartbeat_interval_s
        next_beat = trio.current_time()

        def read_batch(after: int) -> list[Record]:
            return list(islice(journal.read(after), batch_size))

        while True:
            self._new_data = trio.Event()
            batch = await trio.to_thread.run_sync(read_batch, cursor)
            if node.files_link is not None:  # a file goes before the entry that names it
                await node.files_link.flush(channel, self._send_lock)
            if node.mail_link is not None:  # so is an outbox row (mail_link.py)
                await node.mail_link.flush(channel, self._send_lock)
            for rows in node.row_links.values():  # and the tables of rows (row_link.py)
                await rows.flush(channel, self._send_lock)
            async with self._send_lock:
                if batch:
                    await channel.send(records_frame(batch))
                    cursor = batch[-1].seq
                if trio.current_time() >= next_beat:
                    await channel.send(
                        {"type": "repl.heartbeat", "epoch": node.epoch, "last_seq": cursor}
                    )
                    next_beat = trio.current_time() + interval
            if node.accounts_link is not None:  # accounts replicate too (accounts_link.py)
                await node.accounts_link.flush(channel, self._send_lock)
            if not node.accepts_backups() and not node.handing_over:
                return  # deposed: stop streaming; the backup reconnects elsewhere
            if not batch or len(batch) < batch_size:
                with trio.move_on_at(next_beat):
                    await self._new_data.wait()

    async def _receive_acks(self, channel: Channel, scope: trio.CancelScope) -> None:
        try:
            while True:
                frame = await channel.receive("repl.ack", accounts_link.KIND)
                if frame["type"] == accounts_link.KIND:
                    if self.node.accounts_link is not None:
                        await self.node.accounts_link.received(frame)
                    continue
                self.acked(int_field(frame, "seq"))
        except ReplicationError as e:
            log.warning("replication link: %s", e)
        finally:
            scope.cancel()

    # -- what the link tells the gate and the role machine ----------------------------

    def _connected(self, name: str, from_seq: int) -> None:
        node = self.node
        node.backup_connected(name)
        node.gate.reset_acks(from_seq)
        node.feed(LinkUp())
        self.acked(from_seq)

    async def caught_up_to(self, seq: int) -> None:
        """Wait until the backup acknowledged ``seq`` (woken at each ack or change)."""
        node = self.node
        while node.gate.acked < seq:
            changed = trio.Event()
            node.watch_changes(changed.set)
            try:
                await changed.wait()
            finally:
                node.unwatch_changes(changed.set)

    def acked(self, seq: int) -> None:
        """The backup holds everything up to ``seq``: release the writers waiting for it,
        and once it holds everything, report it to the witness as the standby in sync."""
        node = self.node
        node.gate.on_ack(seq)
        node.changed()
        if seq >= node.gate.appended:
            if node.gate.is_degraded:
                node.gate.resynced()
                node.lease.renew_soon()
            if not node.state.caught_up:
                node.feed(CaughtUp())
                node.lease.renew_soon()  # let the witness know the standby is in sync
        elif node.state.caught_up:
            node.feed(FellBehind())
