"""The witness service: the lease book behind a trio-websocket endpoint.

A connection first authenticates (``frontdesk.adapters.witness.auth``: an HMAC challenge
both ways on the cluster secret); a peer that fails is closed with 1008.
Each request is one JSON text frame, each answer one frame; a client may send
several requests on one connection. Requests:

``{"type": "acquire", "node", "url", "epoch", "lease_s"}``
``{"type": "renew", "node", "epoch", "lease_s", "standby"}``
``{"type": "release", "node", "epoch", "successor"}``
``{"type": "status"}``

Answers: ``{"type": "granted", "epoch", "lease_s"}``,
``{"type": "refused", "epoch", "holder", "url", "reason", "expires_in_s"}``,
``{"type": "status", "epoch", "holder", "url", "standby", "expires_in_s"}``,
``{"type": "error", "message"}`` for a malformed request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trio
from trio_websocket import ConnectionClosed, WebSocketRequest, serve_websocket

from frontdesk.adapters.peer_auth import AuthenticationError
from frontdesk.adapters.witness.auth import (
    CLOSE_REASON,
    CLOSE_UNAUTHENTICATED,
    accept_node,
    witness_key,
)
from frontdesk.adapters.witness.book import (
    Answer,
    Granted,
    WitnessError,
    WitnessStore,
    acquire,
    release,
    renew,
)

log = logging.getLogger("frontdesk.witness")


def answer_frame(answer: Answer) -> dict[str, Any]:
    if isinstance(answer, Granted):
        return {"type": "granted", "epoch": answer.epoch, "lease_s": answer.lease_s}
    return {
        "type": "refused",
        "epoch": answer.epoch,
        "holder": answer.holder,
        "url": answer.holder_url,
        "reason": answer.reason,
        "expires_in_s": answer.expires_in_s,
    }


def _field(frame: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in frame:
        raise WitnessError(f"{frame.get('type')!r} request: missing field {key!r}")
    value = frame[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise WitnessError(
            f"{frame.get('type')!r} request: field {key!r} expected {kind}, got {value!r}"
        )
    return value


def _optional_str(frame: dict[str, Any], key: str) -> str | None:
    value = frame.get(key)
    if value is not None and not isinstance(value, str):
        raise WitnessError(f"{frame.get('type')!r} request: field {key!r} expected a string")
    return value


class Witness:
    """The book, its store, and the request dispatcher (one request at a time)."""

    AUTH_TIMEOUT_S = 5.0

    def __init__(
        self, state_path: Path, secret: str, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._key = witness_key(secret)
        self.refused_unauthenticated = 0
        self._now = now
        self._store = WitnessStore(state_path)
        self.lease = self._store.load(now())
        self._lock = trio.Lock()

    async def handle(self, frame: dict[str, Any]) -> dict[str, Any]:
        kind = frame.get("type")
        async with self._lock:
            now = self._now()
            lease = self.lease
            if kind == "status":
                return self.status(now)
            if kind == "acquire":
                lease, answer = acquire(
                    lease,
                    _field(frame, "node", str),
                    _field(frame, "url", str),
                    _field(frame, "epoch", int),
                    float(_field(frame, "lease_s", (int, float))),
                    now=now,
                )
            elif kind == "renew":
                lease, answer = renew(
                    lease,
                    _field(frame, "node", str),
                    _field(frame, "epoch", int),
                    float(_field(frame, "lease_s", (int, float))),
                    _optional_str(frame, "standby"),
                    now=now,
                )
            elif kind == "release":
                lease, answer = release(
                    lease,
                    _field(frame, "node", str),
                    _field(frame, "epoch", int),
                    _optional_str(frame, "successor"),
                    now=now,
                )
            else:
                raise WitnessError(
                    f"unknown request type {kind!r}: expected acquire, renew, release or status"
                )
            if lease != self.lease:
                await trio.to_thread.run_sync(self._store.save, lease)
                if lease.epoch != self.lease.epoch or lease.holder != self.lease.holder:
                    log.info("lease of epoch %d granted to %s", lease.epoch, lease.holder)
                self.lease = lease
            return answer_frame(answer)

    def status(self, now: float) -> dict[str, Any]:
        lease = self.lease
        return {
            "type": "status",
            "epoch": lease.epoch,
            "holder": lease.holder,
            "url": lease.holder_url,
            "standby": lease.standby,
            "reserved_for": lease.reserved_for,
            "expires_in_s": max(0.0, lease.expires_at - now),
        }

    async def serve_connection(self, request: WebSocketRequest) -> None:
        ws = await request.accept()
        try:
            try:
                await accept_node(ws, self._key, self.AUTH_TIMEOUT_S)
            except (AuthenticationError, trio.TooSlowError) as e:
                self.refused_unauthenticated += 1
                log.warning("refused a connection: %s", e)
                with contextlib.suppress(ConnectionClosed):
                    await ws.send_message(json.dumps({"type": "error", "message": CLOSE_REASON}))
                await ws.aclose(CLOSE_UNAUTHENTICATED, CLOSE_REASON)
                return
            while True:
                raw = await ws.get_message()
                try:
                    frame = json.loads(raw)
                    if not isinstance(frame, dict):
                        raise WitnessError(f"expected a JSON object, got {raw[:60]!r}")
                    reply = await self.handle(frame)
                except (ValueError, RecursionError, WitnessError) as e:
                    reply = {"type": "error", "message": str(e)}
                await ws.send_message(json.dumps(reply))
        except ConnectionClosed:
            return


async def serve(
    state_path: Path,
    host: str,
    port: int,
    secret: str,
    *,
    task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the witness until cancelled; ``task_status.started`` gets the bound port.

    ``secret`` is the cluster secret: only nodes that prove they hold it are served."""
    witness = Witness(state_path, secret)
    async with trio.open_nursery() as nursery:
        server = await nursery.start(serve_websocket, witness.serve_connection, host, port, None)
        task_status.started(server.port)
