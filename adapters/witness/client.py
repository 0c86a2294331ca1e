"""The node's side of the witness: one request, one answer, over trio-websocket.

Standalone, each request dials its own connection. A cluster node runs
``WitnessClient.serve`` in its nursery: requests then share one connection kept
open (and dialled again after a failure), so a renewal every ``lease_s / 4``
costs one round trip, not a handshake — which matters on a loaded machine,
where a slow handshake could make a primary miss its lease.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import trio
from trio_websocket import ConnectionClosed

from frontdesk.adapters.peer_auth import AuthenticationError
from frontdesk.adapters.witness.auth import authenticate_to_witness, witness_key
from frontdesk.adapters.witness.book import Answer, Granted, Refused, WitnessError
from frontdesk.adapters.witness.dial import DialError, dial


class WitnessUnavailableError(WitnessError):
    """The witness could not be reached or did not answer in time."""


Request = tuple[dict[str, Any], "trio.MemorySendChannel[str | bytes | BaseException]"]


class WitnessClient:
    """Requests to the witness. Standalone, each request dials its own connection; a
    node runs ``serve()`` in its nursery so that requests share one kept-open
    connection (a renewal then costs one round trip, not a handshake)."""

    def __init__(
        self, url: str, timeout_s: float = 1.0, *, secret: str, node: str = "client"
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.node = node
        self._key = witness_key(secret)
        self._requests: trio.MemorySendChannel[Request] | None = None

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Own the connection until cancelled: dial, relay requests, dial again on failure."""
        send, receive = trio.open_memory_channel[Request](0)
        self._requests = send
        task_status.started()
        try:
            pending: Request | None = None
            while True:
                if pending is None:
                    pending = await receive.receive()
                try:
                    async with dial(self.url, self.timeout_s) as ws:
                        with trio.fail_after(self.timeout_s):
                            await authenticate_to_witness(ws, self._key, self.node)
                        while True:
                            frame, reply = pending
                            with trio.fail_after(self.timeout_s):
                                await ws.send_message(json.dumps(frame))
                                raw = await ws.get_message()
                            with contextlib.suppress(trio.BrokenResourceError):
                                reply.send_nowait(raw)
                            pending = await receive.receive()
                except (
                    DialError,
                    ConnectionClosed,
                    trio.BrokenResourceError,
                    trio.ClosedResourceError,
                    trio.TooSlowError,
                    OSError,
                    AuthenticationError,
                ) as e:  # the next request dials again: a node outlives its witness
                    if pending is not None:
                        with contextlib.suppress(trio.BrokenResourceError, trio.WouldBlock):
                            pending[1].send_nowait(e)
                    pending = None
        finally:
            self._requests = None

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        if self._requests is not None:
            return await self._shared_request(frame)
        raw: str | bytes = ""
        with trio.move_on_after(self.timeout_s) as scope:
            try:
                async with dial(self.url, self.timeout_s) as ws:
                    await authenticate_to_witness(ws, self._key, self.node)
                    await ws.send_message(json.dumps(frame))
                    raw = await ws.get_message()
            except (DialError, ConnectionClosed, AuthenticationError) as e:
                raise WitnessUnavailableError(
                    f"cannot reach the witness at {self.url} for {frame.get('type')!r}: {e!r}"
                ) from None
        if scope.cancelled_caught:
            raise WitnessUnavailableError(
                f"the witness at {self.url} did not answer {frame.get('type')!r} "
                f"within {self.timeout_s} s"
            )
        return _reply(frame, raw)

    async def _shared_request(self, frame: dict[str, Any]) -> dict[str, Any]:
        assert self._requests is not None
        reply_send, reply_receive = trio.open_memory_channel[str | bytes | BaseException](1)
        got: str | bytes | BaseException | None = None
        with trio.move_on_after(self.timeout_s):
            await self._requests.send((frame, reply_send))
            got = await reply_receive.receive()
        if got is None:
            raise WitnessUnavailableError(
                f"the witness at {self.url} did not answer {frame.get('type')!r} "
                f"within {self.timeout_s} s"
            )
        if isinstance(got, BaseException):
            raise WitnessUnavailableError(
                f"cannot reach the witness at {self.url} for {frame.get('type')!r}: {got!r}"
            )
        return _reply(frame, got)

    async def acquire(self, node: str, url: str, epoch: int, lease_s: float) -> Answer:
        return _answer(
            await self.request(
                {"type": "acquire", "node": node, "url": url, "epoch": epoch, "lease_s": lease_s}
            )
        )

    async def renew(self, node: str, epoch: int, lease_s: float, standby: str | None) -> Answer:
        return _answer(
            await self.request(
                {
                    "type": "renew",
                    "node": node,
                    "epoch": epoch,
                    "lease_s": lease_s,
                    "standby": standby,
                }
            )
        )

    async def release(self, node: str, epoch: int, successor: str | None) -> Answer:
        return _answer(
            await self.request(
                {"type": "release", "node": node, "epoch": epoch, "successor": successor}
            )
        )

    async def status(self) -> dict[str, Any]:
        return await self.request({"type": "status"})


def _reply(frame: dict[str, Any], raw: str | bytes) -> dict[str, Any]:
    """The witness's answer to ``frame``; ``WitnessError`` for an error or a malformed one."""
    try:
        reply = json.loads(raw)
    except (ValueError, RecursionError):
        reply = raw[:120]
    if not isinstance(reply, dict) or reply.get("type") == "error":
        raise WitnessError(f"the witness refused the request {frame!r}: {reply!r}")
    return reply


def _answer(reply: dict[str, Any]) -> Answer:
    try:
        if reply["type"] == "granted":
            return Granted(int(reply["epoch"]), float(reply["lease_s"]))
        if reply["type"] == "refused":
            return Refused(
                int(reply["epoch"]),
                reply["holder"],
                str(reply["url"]),
                str(reply["reason"]),
                float(reply["expires_in_s"]),
            )
    except (KeyError, TypeError, ValueError):
        pass
    raise WitnessError(f"expected a granted or refused answer from the witness, got {reply!r}")
