"""The backup's end of the link: connect, agree where to resume, append, acknowledge.

The follower connects to the primary's ``/ws/replication`` with trio-websocket,
says what it holds (``repl.hello`` with its epoch runs), discards what the
primary does not hold (``truncate_after``; the discarded records are reported
to the node, which logs them), then appends each batch with
``append_records`` in a worker thread and acknowledges the highest seq it has
made durable. Any frame from the primary counts as a heartbeat. A silent link
(nothing for ``failover_timeout_s``) is dropped and dialled again, with
exponential backoff and jitter.

What the link learns (the link is up, the primary's epoch and last seq, a
heartbeat, a handover, whether this node has caught up) is fed from here to the
node's role machine (``ClusterNode.feed``); the node itself only hears
``link_down``.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

import trio

from frontdesk.adapters.peer_auth import new_nonce
from frontdesk.adapters.replication import (
    accounts_link,
    files_link,
    gallery_link,
    knowledge_link,
    mail_link,
    offline_link,
    predefined_link,
    survey_link,
)
from frontdesk.adapters.replication.channel import TrioWebsocketChannel
from frontdesk.adapters.replication.handshake import (
    LinkAuthError,
    authenticate_to_primary,
    replication_key,
)
from frontdesk.adapters.replication.protocol import (
    LinkClosedError,
    ReplicationError,
    int_field,
    record_from_wire,
)
from frontdesk.adapters.witness.dial import DialError, dial
from frontdesk.engine.cluster import (
    CaughtUp,
    FellBehind,
    HandoverReceived,
    HeartbeatReceived,
    HeartbeatsMissed,
    HigherEpochSeen,
    LinkUp,
    Role,
)
from frontdesk.engine.journal import Record

if TYPE_CHECKING:
    from frontdesk.adapters.replication.node import ClusterNode

log = logging.getLogger("frontdesk.replication")

# the tables of rows that cross the link (row_link.py), each taken by its ClusterNode.row_links
ROW_KINDS = (knowledge_link.KIND, predefined_link.KIND, offline_link.KIND, survey_link.KIND)


class ReplicationFollower:
    def __init__(self, node: ClusterNode) -> None:
        self.node = node
        self.connects = 0
        self.last_refusal: str | None = None
        self._key = replication_key(node.settings.secret)
        self._scope: trio.CancelScope | None = None
        self._done: trio.Event | None = None
        self._turn = trio.Lock()

    # -- started and stopped by the node with its role ------------------------------

    async def start(self, nursery: trio.Nursery) -> None:
        """Follow the primary from now on (in ``nursery``), after stopping any follow.

        Starts and stops take turns (``_turn``): two starts meeting at the stop's await
        would each install a loop, and the first would never be cancelled. Only a backup
        or a candidate follows: a start that finds the node primary or fenced (it was
        promoted meanwhile) installs nothing."""
        async with self._turn:
            await self._stop()
            if self.node.state.role in (Role.BACKUP, Role.CANDIDATE):
                self._install(nursery)
            # else: a late start (a demotion that finished after the node was promoted
            # again): a primary that follows would dial its peer, be refused, and report
            # its own backup's link as down at each attempt, for as long as it is primary

    @property
    def following(self) -> bool:
        return self._scope is not None

    def _install(self, nursery: trio.Nursery) -> None:
        scope = trio.CancelScope()
        done = trio.Event()
        self._scope, self._done = scope, done
        self.node.last_heard = self.node.monotonic()

        async def follow() -> None:
            try:
                with scope:
                    await self.run()
            finally:
                done.set()

        nursery.start_soon(follow)

    async def stop(self) -> None:
        """Stop following and wait until the last append has finished."""
        async with self._turn:
            await self._stop()

    async def _stop(self) -> None:
        scope, done = self._scope, self._done
        self._scope = self._done = None
        if scope is not None and done is not None:
            scope.cancel()
            await done.wait()
            self.node.link_down()

    async def watch_heartbeats(self) -> None:
        """A backup that hears nothing for ``failover_timeout_s`` stands for election."""
        node = self.node
        timeout = node.settings.failover_timeout_s
        while True:
            due = node.last_heard + timeout
            now = node.monotonic()
            if now < due:
                await trio.sleep(due - now)
                continue
            node.last_heard = now
            if node.state.role is Role.BACKUP:
                log.warning("no heartbeat from the primary for %.1f s", timeout)
                node.feed(HeartbeatsMissed())

    async def run(self) -> None:
        """Follow the primary until cancelled."""
        node = self.node
        backoff = 0.05
        while True:
            url = node.follow_url()
            try:
                async with dial(url, node.settings.failover_timeout_s, 64 * 1024 * 1024) as ws:
                    self.connects += 1
                    if await self._session(TrioWebsocketChannel(ws)):
                        backoff = 0.05
            except DialError as e:
                log.debug("%s", e)
            except LinkAuthError as e:
                self.last_refusal = str(e)
                log.error("replication from %s refused: %s", url, e)
            except ReplicationError as e:
                log.warning("replication from %s stopped: %s", url, e)
            node.link_down()
            await trio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, node.settings.failover_timeout_s / 2)

    async def _session(self, channel: TrioWebsocketChannel) -> bool:  # noqa: PLR0915 - auth + account link; to split
        """One connection; True if it got as far as streaming."""
        node = self.node
        journal = node.journal_raw
        epoch, last_seq = journal.epoch(), journal.last()[1]
        nonce = new_nonce()
        await channel.send(
            {
                "type": "repl.hello",
                "node": node.settings.node_name,
                "url": node.settings.advertise_url,
                "nonce": nonce,
                "epoch": epoch,
                "last_seq": last_seq,
                "runs": node.runs.to_wire(),
            }
        )
        timeout = node.settings.failover_timeout_s
        await authenticate_to_primary(
            channel,
            self._key,
            node.settings.node_name,
            nonce,
            url=node.follow_url(),
            timeout_s=timeout * 2,
        )
        with trio.move_on_after(timeout * 2) as scope:
            reply = await channel.receive("repl.welcome", "repl.refused")
        if scope.cancelled_caught:
            raise ReplicationError(f"expected repl.welcome within {timeout * 2} s, got nothing")
        if reply["type"] == "repl.refused":
            self.last_refusal = str(reply.get("reason"))
            self._refused_by_peer(int_field(reply, "epoch"), str(reply.get("primary_url") or ""))
            log.info("the peer refused to stream: %s", self.last_refusal)
            return False
        from_seq = int_field(reply, "from_seq")
        primary_epoch = int_field(reply, "epoch")
        if from_seq < last_seq:
            discarded = await trio.to_thread.run_sync(journal.truncate_after, from_seq)
            self._discarded_tail(from_seq, discarded)
            if node.hot is not None:  # a live state that folded the cut records: rebuilt
                await trio.to_thread.run_sync(node.hot.truncated, from_seq)
        if primary_epoch > journal.epoch():
            await trio.to_thread.run_sync(journal.raise_epoch, primary_epoch)
        self._link_up(primary_epoch, int_field(reply, "last_seq"))
        if journal.last()[1] > 0:
            await channel.send({"type": "repl.ack", "seq": journal.last()[1]})
        link = node.accounts_link  # accounts replicate too, both ways (accounts_link.py)
        while True:
            if link is not None:
                await link.flush(channel)
            with trio.move_on_after(timeout) as scope:
                frame = await channel.receive("repl.records", "repl.heartbeat", "repl.handover",
                                              accounts_link.KIND, files_link.KIND,
                                              gallery_link.KIND, mail_link.KIND,
                                              *ROW_KINDS)
            if scope.cancelled_caught:
                raise LinkClosedError(f"the primary sent nothing for {timeout} s")
            kind = frame["type"]
            if kind == accounts_link.KIND:
                if link is not None:
                    await link.received(frame)
            elif kind == files_link.KIND:
                if node.files_link is not None:
                    await node.files_link.received(frame)
            elif kind == gallery_link.KIND:
                if node.files_link is not None:
                    await node.files_link.gallery.received(frame)
            elif kind == mail_link.KIND:
                if node.mail_link is not None:
                    await node.mail_link.received(frame)
            elif kind in ROW_KINDS:
                if (rows := node.row_links.get(kind)) is not None:
                    await rows.received(frame)
            elif kind == "repl.records":
                items = frame.get("records")
                if not isinstance(items, list):
                    raise ReplicationError("repl.records: field 'records' expected a list")
                records = [record_from_wire(item) for item in items]
                if records:  # appended, then folded into the hot standby's state
                    append = node.hot.append if node.hot is not None else journal.append_records
                    await trio.to_thread.run_sync(append, records)
                    self._records_applied(records)
                    await channel.send({"type": "repl.ack", "seq": records[-1].seq})
                self._heard_from_primary(None, None)
            elif kind == "repl.heartbeat":
                self._heard_from_primary(int_field(frame, "epoch"), int_field(frame, "last_seq"))
            else:
                self._handover_received(int_field(frame, "epoch"), int_field(frame, "last_seq"))

    # -- what the link tells the node's role machine ---------------------------------

    def _link_up(self, primary_epoch: int, primary_last_seq: int) -> None:
        node = self.node
        node.last_heard = node.monotonic()
        node.primary_last_seq = primary_last_seq
        node.feed(HigherEpochSeen(primary_epoch))
        node.feed(LinkUp())
        node.settled.set()
        self._check_caught_up()

    def _refused_by_peer(self, epoch: int, primary_url: str) -> None:
        node = self.node
        if primary_url and primary_url != node.settings.advertise_url:
            node.primary_hint_url = primary_url
        if epoch > node.state.epoch:
            node.feed(HigherEpochSeen(epoch))

    def _discarded_tail(self, from_seq: int, records: list[Record]) -> None:
        node = self.node
        node.runs.truncate(from_seq)
        node.discarded.extend(records)
        if records:
            log.warning(
                "discarded %d unreplicated records after seq %d (seq %d..%d): %s",
                len(records),
                from_seq,
                records[0].seq,
                records[-1].seq,
                ", ".join(f"{r.stream}/{r.type}" for r in records[:20]),
            )

    def _records_applied(self, records: list[Record]) -> None:
        node = self.node
        node.runs.extend(records)
        node.primary_last_seq = max(node.primary_last_seq, records[-1].seq)
        self._check_caught_up()
        node.changed()

    def _heard_from_primary(self, epoch: int | None, last_seq: int | None) -> None:
        node = self.node
        node.last_heard = node.monotonic()
        if last_seq is not None:
            node.primary_last_seq = last_seq
        if epoch is not None:
            node.feed(HeartbeatReceived(epoch))
        self._check_caught_up()

    def _handover_received(self, epoch: int, last_seq: int) -> None:
        node = self.node
        node.last_heard = node.monotonic()
        if node.journal_raw.last()[1] >= last_seq:
            node.feed(HandoverReceived(epoch))

    def _check_caught_up(self) -> None:
        node = self.node
        if node.state.role is not Role.BACKUP:
            return
        caught = node.journal_raw.last()[1] >= node.primary_last_seq
        if caught and not node.state.caught_up:
            node.feed(CaughtUp())
        elif not caught and node.state.caught_up:
            node.feed(FellBehind())
