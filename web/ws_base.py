"""What every websocket connection shares: accept, hello, read, write, close.

Theory of operation: a connection is three trio tasks in one nursery.

- the reader takes frames from the socket, spends a rate-limit token, parses
  them with ``frontdesk.adapters.wire`` and hands each to the endpoint's ``handle``; bad
  input is answered with an ``error`` frame and the connection goes on;
- the writer drains the connection's ``Outbox`` (notices from the engine via
  the bridge, and server frames), turns each into a frame (``render``, where
  the endpoint may act on a notice, e.g. watch a dialog just added) and sends
  it as JSON text; every frame already waiting goes out in one write
  (``Transport.send_texts``: one ``send_all`` on the direct path). A ``say``
  whose message comes back on this socket as ``dialog.message`` (with the
  say's ``ref``) is answered by that frame alone:
  the ``ack`` that follows it is not written (one frame per message instead of
  two; the engine sends the message before the ack, the outbox keeps that order);
- the overload watcher closes the socket with 1013 when the outbox filled.

Whichever ends first ends the others. ``close(code)`` sends the close frame and
cancels the nursery; ``stopped()`` then drops the engine subscriptions.
"""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar

import trio

from frontdesk.adapters.bridge import CloseAfter, Delivery, Flush, Item, Outbox
from frontdesk.adapters.json_limits import JsonLimitError, loads_bounded, text_problem
from frontdesk.adapters.wire import (
    MAX_JSON_DEPTH,
    MAX_REF_CHARS,
    Endpoint,
    Frame,
    WireError,
    error_frame,
    parse_frame,
)
from frontdesk.engine.errors import EngineError
from frontdesk.engine.notices import (
    Ack,
    DialogNotice,
    MessagePosted,
    Notice,
    QueuePosition,
    Rejected,
    Subscriber,
)
from frontdesk.web.context import ServerContext
from frontdesk.web.cursors import stamp_epoch
from frontdesk.web.ratelimit import TokenBucket
from frontdesk.web.say_text import complete_message
from frontdesk.web.ws_transport import Transport, WsprotoTransport

log = logging.getLogger("frontdesk.web")

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011
CLOSE_SERVICE_RESTART = 1012
CLOSE_TRY_AGAIN = 1013


class WsConnection:
    kind: ClassVar[Endpoint]

    def __init__(self, ctx: ServerContext, ws: Transport) -> None:
        self.ctx = ctx
        self.ws = ws
        self.outbox: Outbox = ctx.require_bridge().outbox(
            ctx.options.send_queue_size,
            ctx.options.slow_consumer_grace_s,
            ctx.options.latest_value_interval_s,
        )
        self.bucket = TokenBucket(ctx.options.rate_limit_per_s, ctx.options.rate_limit_burst)
        self._send_lock = trio.Lock()
        self._scope: trio.CancelScope | None = None
        self._closed = False
        self._subs: dict[str, Subscriber] = {}
        self.reply: Subscriber = self.outbox.subscriber("reply")
        self.ended = trio.Event()  # set once the connection is over and cleaned up
        # refs of this socket's says: waiting for their echo, then echoed (ack not written)
        self._says: dict[str, None] = {}
        self._echoed: dict[str, None] = {}
        self._entry_seq: dict[str, int] = {}  # dialog -> seq of the latest entry written
        self._writer_scope = trio.CancelScope()
        self._writing_now = False
        if isinstance(ws, WsprotoTransport):
            self.outbox.direct = self._write_now

    # --- endpoint hooks ----------------------------------------------------------------

    def you(self) -> dict[str, Any]:
        raise NotImplementedError

    async def started(self, nursery: trio.Nursery) -> None:
        """After ``hello`` is queued; subscribe to the engine here."""

    async def handle(self, frame: Frame) -> None:
        raise NotImplementedError

    def render(self, delivery: Delivery) -> dict[str, Any] | None:
        """The frame to send for a notice (None: send nothing)."""
        return delivery.notice.to_wire()

    def stopped(self) -> None:
        """The socket is gone: drop every engine subscription."""

    # --- helpers for the endpoints ------------------------------------------------------

    def sub(self, tag: str) -> Subscriber:
        """The connection's subscriber for ``tag`` (one object per tag, for unwatch)."""
        existing = self._subs.get(tag)
        if existing is None:
            existing = self._subs[tag] = self.outbox.subscriber(tag)
        return existing

    def drop_sub(self, tag: str) -> Subscriber | None:
        return self._subs.pop(tag, None)

    def send_frame(self, frame: dict[str, Any]) -> None:
        self.outbox.put(frame)

    def close_after_queued(self, code: int, reason: str = "") -> None:
        """Close with ``code`` once what is already queued has been written."""
        self.outbox.put(CloseAfter(code, reason))

    def send_error(
        self, code: str, message: str, ref: str | None = None, dialog: str | None = None
    ) -> None:
        self.ctx.metrics.frame_errors[code] += 1
        self.send_frame(error_frame(code, message, ref, dialog))

    # --- lifecycle ----------------------------------------------------------------------

    async def serve(self) -> None:
        await self.ws.accept()
        ctx = self.ctx
        ctx.connections.add(self)
        ctx.metrics.connections[self.kind] += 1
        try:
            async with trio.open_nursery() as nursery:
                self._scope = nursery.cancel_scope
                # The writer lives in the server's nursery, not this one: socket writes are
                # shielded (a frame cut in half would corrupt the stream), so a writer stuck
                # on a client that stopped reading cannot be cancelled. The connection still
                # ends (subscriptions dropped); the stuck write finishes or fails when the
                # peer reads or goes away, or the front closes the stream.
                (ctx.tasks or nursery).start_soon(self._write_loop)
                nursery.start_soon(self._watch_overload)
                self.send_frame(ctx.hello(self.you()))
                await self.started(nursery)
                await self._read_loop()
                nursery.cancel_scope.cancel()
        finally:
            self._closed = True
            self._writer_scope.cancel()
            self.outbox.close()
            ctx.connections.discard(self)
            ctx.metrics.connections[self.kind] -= 1
            try:
                self.stopped()
            except Exception:
                log.exception("cleanup of a %s connection failed", self.kind)
            self.ended.set()

    async def close(self, code: int, reason: str = "") -> None:
        """Send a close frame (once) and end the connection's tasks."""
        if not self._closed:
            self._closed = True
            self._writer_scope.cancel()
            if self._send_lock.locked() and self.ctx.tasks is not None:
                # A write is in flight, perhaps stuck on a client that stopped reading:
                # queue the close frame behind it, without waiting.
                self.ctx.tasks.start_soon(self._send_close, code, reason)
            else:
                with trio.move_on_after(self.ctx.options.shutdown_timeout_s):
                    async with self._send_lock:
                        await self._send_close(code, reason)
        self._writer_scope.cancel()
        if self._scope is not None:
            self._scope.cancel()

    async def _send_close(self, code: int, reason: str) -> None:
        try:
            await self.ws.send_close(code, reason)
        except Exception:
            log.debug("close %s on a %s socket failed", code, self.kind, exc_info=True)

    async def _read_loop(self) -> None:
        while True:
            try:
                data = await self.ws.receive()
            except Exception:
                return
            if data is None:
                return
            try:
                await self._take(data)
            except Exception:  # this connection's fault only: 1011, logged once, others go on
                log.exception("a %s connection failed handling a frame; closing it with 1011",
                              self.kind)
                await self.close(CLOSE_INTERNAL, "internal error")
                return

    async def _take(self, data: str | bytes) -> None:
        """One client frame: rate limit, validation (``frontdesk.adapters.wire``), the endpoint."""
        self.ctx.metrics.frames_received[self.kind] += 1
        if not self.bucket.take():
            self.send_error(
                "rate_limited",
                f"expected at most {self.ctx.options.rate_limit_per_s:g} frames/s "
                f"(burst {self.ctx.options.rate_limit_burst}); this frame was dropped",
                _lenient_ref(data),
            )
            return
        try:
            frame = parse_frame(self.kind, data)
        except WireError as exc:
            self.send_error(exc.code, exc.message, exc.ref)
            return
        if frame.type == "say" and frame.ref is not None:
            _remember(self._says, frame.ref)
        try:
            await self.handle(frame)
        except WireError as exc:
            self.send_error(exc.code, exc.message, exc.ref)
        except EngineError as exc:  # e.g. the engine is stopping (shutdown, failover)
            self.send_error("unavailable", f"cannot {frame.type} now: {exc}", frame.ref)

    async def _write_loop(self) -> None:
        close_after: CloseAfter | None = None
        try:
            with self._writer_scope:
                try:
                    close_after = await self._write_frames()
                except Exception:  # this connection's fault only: the writer runs in the
                    # server's nursery, where an exception would end every connection
                    log.exception("writing to a %s connection failed; closing it with 1011",
                                  self.kind)
                    close_after = CloseAfter(CLOSE_INTERNAL, "internal error")
            if close_after is not None:  # outside the writer's scope: close() cancels it
                await self.close(close_after.code, close_after.reason)
        finally:
            if self._scope is not None:
                self._scope.cancel()  # no writer, no connection

    async def _write_frames(self) -> CloseAfter | None:
        """Write what the outbox holds, every frame that is ready in one write."""
        metrics = self.ctx.metrics
        outbox = self.outbox
        texts: list[str] = []
        while True:
            try:
                items = await outbox.receive_ready()
            except (trio.EndOfChannel, trio.ClosedResourceError):
                return None
            close_after: CloseAfter | None = None
            for item in items:
                if isinstance(item, CloseAfter):
                    close_after = item
                    break
                if isinstance(item, Flush):
                    continue  # nothing to render: the write below sends what is pending
                frame = self._render(item)
                if frame is None:
                    continue
                if frame["type"] == "dialog.message":
                    metrics.messages_relayed += 1
                texts.append(_encode(frame, item.notice if isinstance(item, Delivery) else None))
            if texts or self.ws.has_pending():
                try:
                    self._send_lock.acquire_nowait()  # no trip through the loop if free
                except trio.WouldBlock:
                    await self._send_lock.acquire()
                try:
                    if self._closed:
                        return None
                    if texts:
                        await self.ws.send_texts(texts)
                    else:
                        await self.ws.flush()
                except Exception:
                    return None
                finally:
                    self._send_lock.release()
                texts.clear()
            if close_after is not None:
                return close_after

    def _write_now(self, item: Item) -> bool:
        """The outbox's direct path (its writer waits with nothing in hand): render and
        write ``item`` here, on the loop, without waking the writer task. False (the
        item then goes through the queue) if the socket cannot take a write now.

        At a steady few thousand messages a second the writer task's wake-up per frame
        was about a sixth of the server's CPU (docs/performance.md, sixth round)."""
        ws = self.ws
        assert isinstance(ws, WsprotoTransport)
        if (
            self._writing_now  # a frame queued while rendering one: behind it, queued
            or self._closed
            or self._send_lock.locked()
            or not ws.can_write_now()
        ):
            return False
        self._writing_now = True
        try:
            try:
                frame = self._render(item)
                if frame is None:
                    return True
                text = _encode(frame, item.notice if isinstance(item, Delivery) else None)
            except Exception:  # as in the writer: this connection closes, nothing else
                log.exception("writing to a %s connection failed; closing it with 1011",
                              self.kind)
                self.outbox.put(CloseAfter(CLOSE_INTERNAL, "internal error"))
                return True
            if frame["type"] == "dialog.message":
                self.ctx.metrics.messages_relayed += 1
            self.ctx.metrics.direct_writes += 1
            if not ws.write_now(text):
                self.outbox.flush_soon()  # the writer sends the rest, or finds the socket broken
            return True
        finally:
            self._writing_now = False

    def _render(self, item: Item) -> dict[str, Any] | None:
        if isinstance(item, dict):
            return item
        assert isinstance(item, Delivery)
        try:
            frame = self.render(item)
        except Exception:
            log.exception("rendering %r for a %s socket failed", item.notice, self.kind)
            return None
        notice = item.notice
        if isinstance(notice, DialogNotice):
            stamp_epoch(frame, notice, self.ctx.engine)  # a resume cursor is (epoch, seq)
            if notice.seq > self._entry_seq.get(notice.dialog, 0):
                self._entry_seq[notice.dialog] = notice.seq
        elif isinstance(notice, QueuePosition) and notice.seq < self._entry_seq.get(
            notice.dialog, 0
        ):
            # positions are paced (a latest value): one held back past the dialog's next
            # entry (its assignment) is out of date, and would say "waiting" after it
            return None
        if isinstance(notice, MessagePosted):
            if frame is not None and not notice.html:
                complete_message(frame)  # journaled before its rendering existed
            if notice.ref is not None and self._says.pop(notice.ref, 0) is None:
                _remember(self._echoed, notice.ref)  # this frame answers the say
        elif isinstance(notice, Ack | Rejected) and notice.ref is not None:
            if self._echoed.pop(notice.ref, 0) is None and isinstance(notice, Ack):
                return None  # the say was answered by its dialog.message
            self._says.pop(notice.ref, None)
        return frame

    async def _watch_overload(self) -> None:
        await self.outbox.wait_overloaded()
        self.ctx.metrics.slow_consumers += 1
        log.info("closing a slow %s socket: %d frames waited over %.1f s", self.kind,
                 self.outbox.statistics(), self.outbox.grace_s)
        await self.close(CLOSE_TRY_AGAIN, "try again later: send queue full")


# The text of recent notices' frames. A notice often goes to several sockets as the same frame
# (a message to the visitor and to the operator; one queue.length or operators notice to every
# console: 300 operators, an operators list of 300 entries, 300 times), so it is encoded once.
# A frame an endpoint changed for its socket does not match the cached one and is encoded anew.
_SHARED_TEXT: dict[int, tuple[Notice, dict[str, Any], str]] = {}
_SHARED_KEPT = 4096


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # one, not one per frame


def _encode(frame: dict[str, Any], notice: Notice | None) -> str:
    if notice is None:
        return _JSON.encode(frame)
    cached = _SHARED_TEXT.get(id(notice))
    if cached is not None and cached[0] is notice and cached[1] == frame:
        return cached[2]
    text = _JSON.encode(frame)
    _SHARED_TEXT[id(notice)] = (notice, frame, text)  # the notice is kept: its id stays its own
    if len(_SHARED_TEXT) > _SHARED_KEPT:
        del _SHARED_TEXT[next(iter(_SHARED_TEXT))]
    return text


def _remember(refs: dict[str, None], ref: str, keep: int = 4096) -> None:
    """Add ``ref``, forgetting the oldest past ``keep`` (a client that never gets its
    answers cannot grow the set)."""
    refs[ref] = None
    if len(refs) > keep:
        del refs[next(iter(refs))]


def _lenient_ref(data: str | bytes) -> str | None:
    """The ref of a frame that is not parsed further (rate limited), if it is a good one."""
    try:
        obj = loads_bounded(data, MAX_JSON_DEPTH)
    except JsonLimitError:
        return None
    ref = obj.get("ref") if isinstance(obj, dict) else None
    ok = isinstance(ref, str) and 0 < len(ref) <= MAX_REF_CHARS and text_problem(ref) is None
    return ref if ok else None


def rejected_dialog(notice: Notice) -> str | None:
    """The dialog id of an ``error`` notice, if it names one."""
    return getattr(notice, "dialog", None)


# Frame types the server itself makes (besides the engine's notices); docs/protocol.md lists them.
SERVER_FRAME_TYPES = frozenset({"hello", "error", "pong", "snapshot", "figures"})
