"""The bridge from actor threads to the trio loop.

Theory of operation: the engine's actors deliver notices by calling a
``Subscriber`` on their own threads. A subscriber made here never blocks and
never touches trio state from a foreign thread: it hands the notice to the
loop with ``TrioToken.run_sync_soon``, and the function that runs there puts it
into the connection's bounded memory channel with ``send_nowait``.

- The channel is bounded (``capacity``). A burst larger than it — a resume
  replaying a long history, or the engine delivering many notices while the
  loop was busy — spills, in order, into an overflow list that refills the
  channel as the writer drains it. A client whose writer takes nothing for
  ``grace_s`` while items wait (or that lets the spill grow past
  ``max_overflow``) reads too slowly:
  the outbox is marked overloaded and the connection closes with 1013 "try
  again later"; the actor is never slowed and the client resumes later from
  its last seq. (A plain "full channel = overloaded" rule would close, again
  and again, every client whose resume replays more than ``capacity`` entries.)
- Nothing raised inside ``run_sync_soon`` may escape: an exception there
  crashes the whole trio loop. ``_push`` therefore catches everything.
- After the loop has finished, ``run_sync_soon`` raises ``RunFinishedError``;
  the subscriber swallows it (the notice has nowhere to go).
- ``trio.from_thread.run`` is never used: it would park the actor's thread
  until the loop gets round to it.
- Wake-ups are batched (``adapters.wakeups.Wakeups``): every ``run_sync_soon`` writes to trio's
  wake-up socket (a system call on the engine's side, one more loop iteration
  on trio's), so what the engine hands over in a row waits in one list, in
  order, and one ``run_sync_soon`` runs it all. A queue broadcast to 300
  operator consoles is one wake-up, not 300.
- Written at once: when a connection's writer task waits with nothing in hand,
  nothing queued and nothing held back (``writer_idle``, kept by ``receive_ready``
  and cleared by anything queued), an item pushed on the loop goes to the
  connection's ``direct`` callback, which renders and writes it there and then if
  its socket can take a write (``web/ws_base.py`` ``_write_now``); otherwise, or
  while a frame is being written that way, it is queued as before. Nothing can
  overtake what is queued: a queued item clears ``writer_idle`` until the writer
  has written it and waits again.
- "Latest value" notices (``Notice.LATEST_VALUE``: ``queue.length``,
  ``operators``, ``dialog.position``) are coalesced per connection: while one
  of the same type and subscription waits unsent, a newer one replaces its
  value in place (it keeps the older one's place in the queue) instead of
  queueing another frame. And
  they are paced: one of a kind is written at most every ``latest_interval_s``
  (a newer value waiting meanwhile is held back, then written). A console's
  queue count may lag by that much; in exchange a burst of opens, or a queue
  that changes with every assignment, costs each console a few frames per
  second instead of one per change, and the frames that matter (a dialog
  added, a message) do not wait behind them.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import trio

from frontdesk.adapters.wakeups import Wakeups
from frontdesk.engine.notices import Notice, Subscriber

log = logging.getLogger("frontdesk.bridge")


@dataclass(frozen=True)
class Delivery:
    """A notice that came through a subscriber; ``tag`` says which subscription."""

    tag: str
    notice: Notice


@dataclass(frozen=True)
class CloseAfter:
    """Close the connection with ``code`` once every item queued before this one is written."""

    code: int
    reason: str = ""


class Flush:
    """Makes the writer write even with no frame: the rest of a direct write waits."""


FLUSH = Flush()

Item = Delivery | CloseAfter | Flush | dict[str, Any]


class _Latest:
    """A latest-value delivery waiting in an outbox; a newer one replaces ``notice``."""

    __slots__ = ("key", "notice", "tag")

    def __init__(self, key: tuple[str, str], tag: str, notice: Notice) -> None:
        self.key = key
        self.tag = tag
        self.notice = notice


class _Wake:
    """Put in the channel to make the writer look at what is held back."""


_WAKE = _Wake()
_Queued = Item | _Latest | _Wake


class Outbox:
    """One connection's bounded queue of outbound items, fed from any thread.

    The trio side reads it with ``receive()`` (or ``async for``); server frames
    made on the trio side go in with ``put(frame)``.
    """

    def __init__(
        self,
        token: trio.lowlevel.TrioToken,
        capacity: int,
        *,
        grace_s: float = 5.0,
        max_overflow: int | None = None,
        wakeups: Wakeups | None = None,
        latest_interval_s: float = 0.0,
    ) -> None:
        if capacity < 1:
            raise ValueError(f"an outbox needs a capacity of at least 1, got {capacity}")
        self._wakeups = wakeups if wakeups is not None else Wakeups(token)
        self._send, self._receive = trio.open_memory_channel[_Queued](capacity)
        self._overflow: deque[_Queued] = deque()
        self._latest: dict[tuple[str, str], _Latest] = {}  # waiting unsent, by (tag, type)
        self.latest_interval_s = latest_interval_s
        self._held: dict[tuple[str, str], _Latest] = {}  # paced: not queued before their time
        self._written_at: dict[tuple[str, str], float] = {}  # when the writer last took one
        self._closed = False
        self._congested = trio.Event()  # set when the overflow becomes non-empty
        self._drained = trio.Event()  # set when it empties again
        self.congested_since: float | None = None
        self.overloaded = trio.Event()
        self.capacity = capacity
        self.grace_s = grace_s
        self.max_overflow = max_overflow if max_overflow is not None else max(64 * capacity,
                                                                              100_000)
        self.last_progress = trio.current_time()  # when the writer last took an item
        self.pushed = 0
        self.dropped = 0
        self.spilled = 0  # items that went through the overflow
        self.coalesced = 0  # latest-value notices that replaced a waiting one
        # Written at once (see ``_push``): the connection's callback, and whether its
        # writer waits with nothing in hand, nothing queued, nothing held back.
        self.direct: Callable[[Item], bool] | None = None
        self.writer_idle = False

    # --- any thread ------------------------------------------------------------------

    def subscriber(self, tag: str) -> Subscriber:
        """A Subscriber for the engine: thread-safe, never blocks, never raises."""

        post, push = self._wakeups.post, self._push

        def deliver(notice: Notice) -> None:
            post(push, Delivery(tag, notice))

        return deliver

    def reply_to(self, tag: str, callback: Callable[[Notice], None]) -> Subscriber:
        """A Subscriber whose notices run ``callback`` on the trio thread (not queued).

        For answers the connection must act on before writing (e.g. the ``open``
        acknowledgement, after which the dialog is watched). ``callback`` must
        not block; an exception from it is logged and swallowed.
        """

        def run(notice: Notice) -> None:
            try:
                callback(notice)
            except Exception:
                log.exception("reply handler %s failed on %r", tag, notice)

        post = self._wakeups.post

        def deliver(notice: Notice) -> None:
            post(run, notice)

        return deliver

    # --- trio thread -----------------------------------------------------------------

    def put(self, item: Item) -> None:
        """Queue an item from the trio thread (same overload rule as notices)."""
        self._push(item)

    def _push(self, item: Item) -> None:
        queued: _Queued = item
        try:
            if isinstance(item, Delivery) and item.notice.LATEST_VALUE and not self._closed:
                key = (item.tag, item.notice.TYPE)
                waiting = self._latest.get(key) or self._held.get(key)
                if waiting is not None:
                    waiting.notice = item.notice
                    self.coalesced += 1
                    return
                latest = _Latest(key, item.tag, item.notice)
                last = self._written_at.get(key)
                if last is not None and trio.current_time() < last + self.latest_interval_s:
                    self._held[key] = latest
                    self._wake_writer()
                    return
                queued = self._latest[key] = latest
            if (
                self.writer_idle
                and queued is item
                and not isinstance(item, CloseAfter)
                and self.direct is not None
                and self.direct(item)
            ):
                return
            self._queue(queued)
        except Exception:  # never let anything escape into the run loop
            self.dropped += 1
            log.exception("could not queue an outbound item")

    def _queue(self, item: _Queued) -> None:
        self.writer_idle = False  # the writer has something now: nothing may overtake it
        if self._overflow:  # keep the order: behind what already spilled
            self._spill(item)
            return
        try:
            self._send.send_nowait(item)
            self.pushed += 1
        except trio.WouldBlock:
            self._spill(item)
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            self.dropped += 1

    def _wake_writer(self) -> None:
        self.writer_idle = False
        try:  # noqa: SIM105 (if the channel is full the writer is busy anyway)
            self._send.send_nowait(_WAKE)
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            pass

    def _release_due(self) -> float:
        """Queue the held latest values whose time has come; when the next one is due."""
        now = trio.current_time()
        next_due = float("inf")
        for key, latest in list(self._held.items()):
            due = self._written_at.get(key, now) + self.latest_interval_s
            if due <= now:
                del self._held[key]
                self._latest[key] = latest
                self._queue(latest)
            else:
                next_due = min(next_due, due)
        return next_due

    def _spill(self, item: _Queued) -> None:
        if self._closed or self.overloaded.is_set():  # nothing more for a dead or slow reader
            self.dropped += 1
            return
        if not self._overflow:
            self.congested_since = trio.current_time()
            self._congested.set()
            self._drained = trio.Event()
        self._overflow.append(item)
        self.pushed += 1
        self.spilled += 1
        if len(self._overflow) > self.max_overflow:
            self.overloaded.set()
            self._drained.set()  # wake wait_overloaded, which checks ``overloaded`` first

    def _refill(self) -> None:
        while self._overflow:
            try:
                self._send.send_nowait(self._overflow[0])
            except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
                return
            self._overflow.popleft()
        if self.congested_since is not None:
            self.congested_since = None
            self._congested = trio.Event()
            self._drained.set()

    async def receive(self) -> Item:
        while True:
            next_due = self._release_due() if self._held else float("inf")
            with trio.move_on_at(next_due):
                item = await self._receive.receive()
                taken = self._take(item)
                if taken is not None:  # a wake only makes the loop look again
                    return taken

    async def receive_ready(self, limit: int = 256) -> list[Item]:
        """The next item and, without waiting again, those right behind it (up to ``limit``):
        what the writer can put in one write."""
        self.writer_idle = (
            not self._closed
            and not self._overflow
            and not self._held
            and self._receive.statistics().current_buffer_used == 0
        )
        try:
            items = [await self.receive()]
        finally:
            self.writer_idle = False
        while len(items) < limit:
            try:
                item = self._receive.receive_nowait()
            except trio.WouldBlock:
                break
            taken = self._take(item)
            if taken is not None:
                items.append(taken)
        return items

    def _take(self, item: _Queued) -> Item | None:
        self.last_progress = now = trio.current_time()
        self._refill()
        if isinstance(item, _Wake):
            return None
        if isinstance(item, _Latest):
            if self._latest.get(item.key) is item:
                del self._latest[item.key]
            self._written_at[item.key] = now
            return Delivery(item.tag, item.notice)
        return item

    def __aiter__(self) -> Outbox:
        return self

    async def __anext__(self) -> Item:
        try:
            return await self.receive()
        except (trio.EndOfChannel, trio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def wait_overloaded(self) -> None:
        """Return once the reader is too slow: items spilled and the writer took none for
        ``grace_s`` (a reader that keeps taking frames may drain a long spill), or the
        spill grew past ``max_overflow``."""
        while not self.overloaded.is_set():
            if self.congested_since is None:
                await self._congested.wait()
                continue
            deadline = max(self.congested_since, self.last_progress) + self.grace_s
            if trio.current_time() >= deadline:
                self.overloaded.set()
                break
            with trio.move_on_at(deadline):
                await self._drained.wait()

    def close(self) -> None:
        """Refuse further items; pending ones stay readable until drained."""
        self._closed = True
        self.writer_idle = False
        self.direct = None
        self._send.close()

    def flush_soon(self) -> None:
        """Make the writer write (bytes of a direct write wait in the transport). If the
        channel is full the writer is busy, and its next write sends them first anyway."""
        self.writer_idle = False
        try:  # noqa: SIM105
            self._send.send_nowait(FLUSH)
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            pass

    def statistics(self) -> int:
        """How many items wait to be written (channel and overflow)."""
        return self._receive.statistics().current_buffer_used + len(self._overflow)


class Bridge:
    """Holds the loop's token; makes one ``Outbox`` per connection."""

    def __init__(self, token: trio.lowlevel.TrioToken) -> None:
        self.token = token
        self.wakeups = Wakeups(token)

    @classmethod
    def capture(cls) -> Bridge:
        """Call on the trio thread at start-up."""
        return cls(trio.lowlevel.current_trio_token())

    def outbox(
        self, capacity: int, grace_s: float = 5.0, latest_interval_s: float = 0.0
    ) -> Outbox:
        return Outbox(self.token, capacity, grace_s=grace_s, wakeups=self.wakeups,
                      latest_interval_s=latest_interval_s)

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the trio thread from any thread; dropped after the loop ended."""

        def run() -> None:
            try:
                fn()
            except Exception:
                log.exception("bridged call failed")

        try:  # noqa: SIM105
            self.token.run_sync_soon(run)
        except trio.RunFinishedError:
            pass
