"""The reconnecting websocket client that the visitor, operator and manager clients share.

Theory of operation: one background task owns the socket. It connects to a
node URL (rotating through the list on failure, with exponential backoff and
jitter), reads frames and files each one:

- ``ack``/``error`` with the ``ref`` of a pending request resolve it;
- dialog history entries are deduplicated by ``(dialog, seq)``: the client
  keeps the highest seq it has seen per dialog and drops anything at or below
  it (a replay after a reconnect may overlap what already came);
- every frame kept goes to the inbox, which ``expect`` and ``frames`` read.

Liveness: while connected, a keepalive task pings the server every
``ping_interval_s``; a pong missing after ``ping_timeout_s`` means the node is
paused or cut off (its socket stays open, so nothing else would tell): the
socket is aborted and the node counts as a failed attempt. A dial that does not
finish within ``connect_timeout_s`` is a failed attempt too. A node that
refuses the upgrade because it is not primary names the primary
(``{"error": {"code": "not_primary", "primary": URL}}``): that URL is tried next.

After each (re)connection, ``on_connected`` (the role's hook) sends what makes
the server catch up — ``resume`` with the last seq per dialog — and then every
``say`` not yet acknowledged is sent again with its original ``ref``, which the
engine answers with the original ack instead of appending twice.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Self

import trio
from trio_websocket import (
    ConnectionClosed,
    ConnectionRejected,
    HandshakeError,
    WebSocketConnection,
)

from frontdesk.adapters.client.errors import RefusedError, UpgradeRefusedError, why_failed
from frontdesk.adapters.client.http import ClientError
from frontdesk.adapters.client.inbox import Frame, FrameLog
from frontdesk.adapters.client.keepalive import keepalive as keepalive_task
from frontdesk.adapters.client.reconnect import Backoff, abort, origin_of, primary_hint, ws_url
from frontdesk.adapters.client.socket import one_exception, open_socket

log = logging.getLogger("frontdesk.client")

# refused for now (the journal cannot be written; over the connection's rate): the same
# request again, same ref, is safe and may succeed
RETRY_CODES = frozenset({"unavailable", "rate_limited"})
FINAL_CLOSE_CODES = frozenset({1000, 1008})  # closed on purpose (logout, session ended): stay off
# an upgrade refused for who the client is (no session, wrong role, foreign Origin): another
# try, or another node, gives the same answer, so the cause is raised at once
FINAL_STATUSES = frozenset({401, 403})


class ClientBase(FrameLog):
    path = "/"

    def __init__(
        self,
        urls: str | Sequence[str],
        *,
        session: str | None = None,
        origin: str | None = None,
        reconnect: bool = True,
        backoff: Backoff | None = None,
        max_frame_bytes: int = 1 << 20,
        ping_interval_s: float | None = 5.0,
        ping_timeout_s: float = 5.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ClientError("a client needs at least one node URL")
        super().__init__()
        self.session = session
        self.origin = origin
        self.reconnect = reconnect
        self.backoff = backoff or Backoff()
        self.retry_backoff = Backoff(base_s=0.05, max_s=1.0)  # between retries of a request
        self.max_frame_bytes = max_frame_bytes
        self.ping_interval_s = ping_interval_s  # None: no keepalive
        self.ping_timeout_s = ping_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.unresponsive = 0  # sockets dropped because a pong did not come
        self._missed_pong = False
        self.connections = 0
        self.hello: Frame | None = None
        self.url: str | None = None
        self._connected = trio.Event()
        self._ws: WebSocketConnection | None = None
        self._pending: dict[str, tuple[trio.Event, list[Frame]]] = {}
        self._unacked: dict[str, Frame] = {}  # say frames waiting for their ack, by ref
        self._leave_for: str | None = None  # the node to try next, set by _leave_deposed
        self._refs = itertools.count(1)
        self._ref_base = secrets.token_hex(6)
        self._stack: AsyncExitStack | None = None
        self._nursery: trio.Nursery | None = None
        self._inner: trio.Nursery | None = None
        self._stopped = False
        self._read_scope = trio.CancelScope()
        self._finished = trio.Event()
        self.last_failure: str | None = None  # why the last dial failed or the socket was lost
        # While set to an unset Event, reconnection waits for it (tests: "the network is down").
        self.reconnect_gate: trio.Event | None = None

    # --- lifecycle --------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        """Run the client in its own nursery (enter and exit in the same task)."""
        try:
            async with AsyncExitStack() as stack:
                self._nursery = await stack.enter_async_context(trio.open_nursery())
                await self._nursery.start(self.run)
                self._stack = stack.pop_all()
        except BaseExceptionGroup as group:
            raise one_exception(group) from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """The socket task, for ``nursery.start(client.run)``: started once connected.

        Raises what ``wait_connected`` raises if the first connection fails for good.
        """
        async with trio.open_nursery() as inner:
            self._inner = inner
            inner.start_soon(self._run)
            await self.wait_connected()
            task_status.started()

    async def aclose(self) -> None:
        """Close the socket with 1000 (the session task does the handshake) and stop."""
        self._stopped = True
        self._read_scope.cancel()
        with trio.move_on_after(3):
            await self._finished.wait()
        if self._inner is not None:
            self._inner.cancel_scope.cancel()
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def wait_connected(self, timeout: float = 10.0) -> None:
        with trio.move_on_after(timeout):
            while not self._connected.is_set():
                if self._fatal is not None:
                    raise self._fatal
                await self._wait_change()
        if self._fatal is not None:
            raise self._fatal
        if not self._connected.is_set():
            state = "never connected" if self.connections == 0 else "not connected again"
            why = f"; last failure: {self.last_failure}" if self.last_failure else ""
            raise ClientError(
                f"not connected to any of {self.urls} within {timeout} s ({state}{why})")

    def drop(self) -> None:
        """Abort the socket without a close handshake (tests: a network loss)."""
        ws = self._ws
        if ws is not None and self._inner is not None:
            self._inner.start_soon(abort, ws)

    # --- the socket task -----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._connect_loop()
        finally:
            self._finished.set()

    async def _connect_loop(self) -> None:
        attempt = 0
        index = 0
        while not self._stopped:
            url = self.urls[index % len(self.urls)]
            connections = self.connections
            self._missed_pong = False
            hint: str | None = None
            try:
                await self._session(url)
            except ConnectionRejected as exc:
                refusal = UpgradeRefusedError(exc.status_code, exc.body or b"", self._ws_url(url))
                self.last_failure = str(refusal)
                if not self.reconnect or exc.status_code in FINAL_STATUSES:
                    self._fatal = refusal
                    self._notify()
                    return
                hint = primary_hint(exc.body)
                log.info("upgrade refused by %s: %s (primary: %s)", url, exc.status_code, hint)
            except (HandshakeError, OSError, ConnectionClosed, trio.BrokenResourceError,
                    trio.TooSlowError) as exc:
                log.info("connection to %s lost: %r", url, exc)
                self.last_failure = f"{self._ws_url(url)}: {why_failed(exc)}"
                if self.close_codes and self.close_codes[-1] in FINAL_CLOSE_CODES \
                        and isinstance(exc, ConnectionClosed):
                    self._fatal = ClientError(
                        f"closed by the server with {self.close_codes[-1]}: not reconnecting")
                    self._stopped = True
            finally:
                self._ws = None
                self._connected = trio.Event()
                self._notify()
            if self._stopped or not self.reconnect:
                if not self._stopped and self._fatal is None:
                    self._fatal = self._gone(url)
                self._notify()
                return
            if self._leave_for is not None:  # a say was refused not_primary (request)
                index, attempt = self._index_of(self._leave_for), 0
                self._leave_for = None
            elif self.connections > connections and not self._missed_pong:
                attempt = 0  # a working connection was lost: try the same node first
            elif hint is not None:
                index = self._index_of(hint)  # the node named as primary, next
            else:
                index += 1  # this node failed (refused, unreachable, paused): the next one
            await trio.sleep(self.backoff.delay(attempt))
            attempt += 1
            if self.reconnect_gate is not None:
                await self.reconnect_gate.wait()

    def _ws_url(self, url: str) -> str:
        return ws_url(url) + self.path

    def _gone(self, url: str) -> ClientError:
        """Why the client stops (reconnect off): it never connected, or it lost the socket."""
        if self.connections == 0:
            return ClientError(f"never connected: {self.last_failure or self._ws_url(url)}")
        codes = f"close codes {self.close_codes}" if self.close_codes else "no close code"
        return ClientError(f"disconnected from {self._ws_url(url)} ({codes}; "
                           f"{self.last_failure or 'no cause given'})")

    def _index_of(self, url: str) -> int:
        """The index of ``url`` in ``urls`` (added at the end if it is new)."""
        url = url.rstrip("/")
        for i, known in enumerate(self.urls):
            if known.rstrip("/") == url:
                return i
        self.urls.append(url)
        return len(self.urls) - 1

    def _missed(self) -> None:
        """The keepalive gave the socket up: a pong did not come in time."""
        log.info("no pong from %s: the node counts as a failed attempt", self.url)
        self._missed_pong = True
        self.unresponsive += 1

    async def _session(self, url: str) -> None:
        url_of_socket = self._ws_url(url)
        headers = [(b"Origin", (self.origin or origin_of(url)).encode())]
        if self.session:
            headers.append((b"Cookie", f"fd_session={self.session}".encode()))
        keepalive = trio.CancelScope()
        async with open_socket(url_of_socket, headers, max_message_size=self.max_frame_bytes,
                               connect_timeout_s=self.connect_timeout_s) as ws:
            try:
                with trio.fail_after(self.connect_timeout_s):  # a node paused after the handshake
                    first = json.loads(await ws.get_message())
                self.url = url
                self.hello = first
                self.connections += 1
                self._file(first)
                await self.on_connected(ws)
                sent: set[str] = set()
                while True:  # no await between the last check and publishing the socket
                    waiting = [(r, f) for r, f in self._unacked.items() if r not in sent]
                    if not waiting:
                        break
                    for ref, frame in waiting:
                        sent.add(ref)
                        await ws.send_message(json.dumps(frame))
                self._ws = ws
                self._connected.set()
                self._notify()
                if self.ping_interval_s is not None and self._inner is not None:
                    self._inner.start_soon(keepalive_task, ws, self.ping_interval_s,
                                           self.ping_timeout_s, self._missed, keepalive)
                self._read_scope = trio.CancelScope()
                with self._read_scope:  # aclose() cancels this scope only: a clean close follows
                    if self._stopped:
                        return
                    while True:
                        self._file(json.loads(await ws.get_message()))
            except ConnectionClosed as exc:
                code = exc.reason.code if exc.reason is not None else 1006
                self.close_codes.append(code)
                raise
            finally:
                keepalive.cancel()

    def _file(self, frame: Frame) -> None:
        if not self.keep(frame):
            return
        kind = frame.get("type")
        self.on_frame(frame)
        ref = frame.get("ref")
        # a say is answered by its own dialog.message (same ref): the server writes no ack
        echo = kind == "dialog.message" and isinstance(ref, str) and ref in self._unacked
        if (kind in ("ack", "error") or echo) and isinstance(ref, str):
            self._unacked.pop(ref, None)
            pending = self._pending.pop(ref, None)
            if pending is not None:
                pending[1].append(frame)
                pending[0].set()
        self.received.append(frame)
        self._notify()

    # --- role hooks ----------------------------------------------------------------------

    async def on_connected(self, ws: WebSocketConnection) -> None:
        """Send (on ``ws``) what the server needs after a (re)connection: resume frames."""

    def on_frame(self, frame: Frame) -> None:
        """See every kept frame first (e.g. remember a dialog's token)."""

    # --- sending -------------------------------------------------------------------------

    def next_ref(self, prefix: str = "r") -> str:
        """A ref unique across clients and reloads (the engine dedupes says by (dialog, ref))."""
        return f"{prefix}-{self._ref_base}-{next(self._refs)}"

    async def send(self, frame: Frame) -> None:
        """Send one frame now (no ack awaited); waits for a connection first."""
        await self.send_raw(json.dumps(frame))

    async def send_raw(self, text: str | bytes) -> None:
        await self.wait_connected()
        assert self._ws is not None
        await self._ws.send_message(text)

    async def request(self, frame: Frame, timeout: float = 10.0) -> Frame:
        """Send ``frame`` with a ``ref``; return its answer, raise ``RefusedError`` on ``error``.

        The answer is the ``ack``, or for a ``say`` the ``dialog.message`` carrying its
        ``ref`` (the server writes no separate ack for a message it echoes).

        A ``say`` is remembered until acknowledged and sent again (same ``ref``)
        after a reconnection, so it survives a dropped socket. A request refused with a
        code of ``RETRY_CODES`` (``unavailable``: the node cannot write its journal now;
        ``rate_limited``)
        is sent again, same ``ref``, after ``retry_backoff``, until ``timeout``; the
        engine answers a ref it already holds with the original answer, never twice.
        A ``say`` refused ``not_primary`` (a primary deposed while it waited) is sent again
        on a new connection, to the primary the refusal names or else the next node.
        When the client stops for good while waiting (a refused reconnection, a final
        close), it raises that cause.
        """
        frame = dict(frame)
        ref = frame.setdefault("ref", self.next_ref(frame["type"][:1]))
        try:
            with trio.fail_after(timeout):
                for attempt in itertools.count():
                    answer = await self._ask(frame, ref)
                    if answer["type"] != "error":
                        break
                    if answer.get("code") == "not_primary" and frame["type"] == "say" \
                            and self.reconnect:
                        await self._leave_deposed(answer)
                        continue
                    if answer.get("code") not in RETRY_CODES:
                        break
                    await trio.sleep(self.retry_backoff.delay(attempt))
        except trio.TooSlowError:
            self._pending.pop(ref, None)
            raise ClientError(f"no answer to {frame['type']} (ref {ref}) within {timeout} s") \
                from None
        if answer["type"] == "error":
            raise RefusedError(answer)
        return answer

    async def _leave_deposed(self, refusal: Frame) -> None:
        """The node refused a say as not primary (deposed while the say waited for its
        backup): drop it, connect to the primary it names (else the next node), and return
        once connected again, so the say goes there with its ref (``docs/protocol.md``)."""
        named = refusal.get("primary")
        here = self._index_of(self.url) if self.url else 0
        self._leave_for = named if isinstance(named, str) and named else \
            self.urls[(here + 1) % len(self.urls)]
        seen = self.connections
        self.drop()
        while self.connections == seen:
            if self._fatal is not None:
                raise self._fatal
            await self._wait_change()

    async def _ask(self, frame: Frame, ref: str) -> Frame:
        """Send ``frame`` once and wait for the frame answering ``ref``."""
        done = trio.Event()
        box: list[Frame] = []
        self._pending[ref] = (done, box)
        if frame["type"] == "say":
            self._unacked[ref] = frame
        if self._ws is not None:
            try:
                await self._ws.send_message(json.dumps(frame))
            except ConnectionClosed:
                if frame["type"] != "say":
                    raise ClientError(f"connection lost sending {frame['type']}") from None
        elif frame["type"] != "say":
            await self.send(frame)
        while not done.is_set():  # or the client stopped for good: say why
            if self._fatal is not None:
                self._pending.pop(ref, None)
                raise self._fatal
            await self._wait_change()
        return box[0]

    # --- reading -------------------------------------------------------------------------
