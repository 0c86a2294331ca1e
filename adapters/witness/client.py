"""The node's side of the witness: one request, one answer, over trio-websocket.

A connection per request keeps the client free of reconnect logic; at one
renewal every ``lease_s / 3`` that costs a loopback handshake per renewal.
"""

from __future__ import annotations

import json
from typing import Any

import trio
from trio_websocket import ConnectionClosed

from adapters.witness.book import Answer, Granted, Refused, WitnessError
from adapters.witness.dial import DialError, dial


class WitnessUnavailableError(WitnessError):
    """The witness could not be reached or did not answer in time."""


class WitnessClient:
    def __init__(self, url: str, timeout_s: float = 1.0) -> None:
        self.url = url
        self.timeout_s = timeout_s

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        raw: str | bytes = ""
        with trio.move_on_after(self.timeout_s) as scope:
            try:
                async with dial(self.url, self.timeout_s) as ws:
                    await ws.send_message(json.dumps(frame))
                    raw = await ws.get_message()
            except (DialError, ConnectionClosed) as e:
                raise WitnessUnavailableError(
                    f"cannot reach the witness at {self.url} for {frame.get('type')!r}: {e!r}"
                ) from None
        if scope.cancelled_caught:
            raise WitnessUnavailableError(
                f"the witness at {self.url} did not answer {frame.get('type')!r} "
                f"within {self.timeout_s} s"
            )
        reply = json.loads(raw)
        if not isinstance(reply, dict) or reply.get("type") == "error":
            raise WitnessError(f"the witness refused the request {frame!r}: {reply!r}")
        return reply

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
