"""Where and when the client dials next: backoff with jitter, node URLs, the primary hint."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from trio_websocket import WebSocketConnection

log = logging.getLogger("frontdesk.client")


@dataclass
class Backoff:
    """Exponential backoff with jitter: base * 2**attempt, capped, times a factor in [0.5, 1.5)."""

    base_s: float = 0.05
    max_s: float = 5.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        growth = float(2 ** min(attempt, 16))
        return min(self.max_s, self.base_s * growth) * (0.5 + self.rng.random())


async def abort(ws: WebSocketConnection) -> None:
    stream = ws._stream  # the TCP stream under the websocket
    try:
        await stream.aclose()
    except Exception:
        log.debug("abort of a client socket failed", exc_info=True)


def primary_hint(body: bytes | None) -> str | None:
    """The primary's base URL named in a refused upgrade's JSON body, if any."""
    try:
        error = json.loads(body or b"null")["error"]
        hint = error.get("primary")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return hint if isinstance(hint, str) and hint.startswith(("http://", "https://")) else None


def ws_url(url: str) -> str:
    url = url.rstrip("/")
    if url.startswith("https://"):
        return "wss://" + url[len("https://"):]
    if url.startswith("http://"):
        return "ws://" + url[len("http://"):]
    return url


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
