"""The accounts stream of the replication link: ``repl.accounts``, in both directions.

    either node -> the other   repl.accounts {users: [...], revoked: [...]}

Each end sends its whole account state (``frontdesk.adapters.account_state.AccountState``: users
with their password hashes, unexpired session revocations) once the link is up, and
again after each change: a change made in this process (``Accounts`` tells its
listeners), or one found by re-reading the store every ``RESYNC_S`` (a ``frontdesk user``
command run beside the server writes the database directly). The other end merges it
(``Accounts.merge_state``, convergent whatever the order) and closes the sockets of the
sessions that ended (``on_ended``, which must not block: it starts the closes).

The link's own loops call ``flush`` where they already wake (the primary's stream loop at
each batch or heartbeat, the backup after each frame it receives), so a change crosses
within about one heartbeat interval, and ``received`` for each ``repl.accounts`` frame.
Nothing here can end the link but a frame that breaks the protocol or a closed link; a
failing accounts database is logged and retried at the next flush.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import trio

from frontdesk.adapters.account_models import AccountError
from frontdesk.adapters.account_state import AccountState, MergeResult
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError

KIND = "repl.accounts"
RESYNC_S = 2.0

log = logging.getLogger("frontdesk.replication")


class AccountStore(Protocol):
    def add_listener(self, listener: Callable[[], None]) -> None: ...
    def export_state(self) -> AccountState: ...
    def merge_state(self, state: AccountState) -> MergeResult: ...


class _Sent:
    def __init__(self) -> None:
        self.version = -1
        self.state: AccountState | None = None
        self.at = float("-inf")


class AccountLink:
    def __init__(
        self, accounts: AccountStore, on_ended: Callable[[MergeResult], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = accounts
        self.on_ended = on_ended
        self._monotonic = monotonic
        self._version = 0
        self._lock = threading.Lock()
        self._sent: weakref.WeakKeyDictionary[Any, _Sent] = weakref.WeakKeyDictionary()
        self.frames_sent = 0
        self.frames_merged = 0
        accounts.add_listener(self._local_change)

    def _local_change(self) -> None:  # any thread
        with self._lock:
            self._version += 1

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send this node's state on ``channel`` if it has not had it yet or it changed."""
        sent = self._sent.get(channel)
        if sent is None:
            sent = self._sent[channel] = _Sent()
        version = self._version
        now = self._monotonic()
        if version == sent.version and now - sent.at < RESYNC_S:
            return
        try:
            state = await trio.to_thread.run_sync(self.accounts.export_state)
        except AccountError as e:
            log.warning("cannot read the accounts to replicate them: %s", e)
            return
        sent.at = now
        if version == sent.version and state == sent.state:
            return  # re-read: nothing changed behind our back
        if sent.state is not None and self.on_ended is not None:
            ended = ended_between(sent.state, state)  # e.g. `frontdesk user password` beside us
            if ended.ended_something():
                self.on_ended(ended)
        frame = {"type": KIND, **state.to_wire()}
        if send_lock is None:
            await channel.send(frame)
        else:
            async with send_lock:
                await channel.send(frame)
        sent.version, sent.state = version, state
        self.frames_sent += 1

    async def received(self, frame: dict[str, Any]) -> None:
        """Merge the other node's state; close the sessions that ended here through it."""
        try:
            state = AccountState.from_wire(frame)
        except AccountError as e:
            raise ReplicationError(f"{KIND}: {e}") from None
        try:
            result = await trio.to_thread.run_sync(self.accounts.merge_state, state)
        except AccountError as e:
            log.warning("cannot merge the other node's accounts: %s", e)
            return
        self.frames_merged += 1
        if result.users_taken or result.ended_something():
            log.info("accounts from the peer: %d users taken, %d sessions revoked, "
                     "%d logins reset", len(result.users_taken), len(result.revoked),
                     len(result.logins_reset))
        if result.ended_something() and self.on_ended is not None:
            self.on_ended(result)


def ended_between(before: AccountState, after: AccountState) -> MergeResult:
    """The revocations and password changes in ``after`` that ``before`` did not have."""
    old_after = {u.login: u.sessions_after for u in before.users}
    old_revoked = {digest for digest, _ in before.revoked}
    return MergeResult(
        revoked=[digest for digest, _ in after.revoked if digest not in old_revoked],
        logins_reset=[u.login for u in after.users
                      if u.sessions_after > old_after.get(u.login, u.sessions_after)],
    )
