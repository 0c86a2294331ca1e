"""JSON request bodies of ``/api/*``, validated where they enter, before any route reads them.

``JsonBodyGuard`` is ASGI middleware: a request to ``/api/*`` that says it carries
JSON is read here (at most ``MAX_JSON_BODY_BYTES``, refused 413 past it), its
nesting bounded before parsing and every string checked for lone surrogates and
NUL (``frontdesk.adapters.json_limits``). A bad body gets a 400 JSON error naming the
problem (``bad_json``) or the field (``bad_field``); a good one is handed to the
route unchanged, so each route keeps parsing its own fields. Before this, a
login body nested 3,000 deep or holding ``"\\ud800"`` was a 500.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.adapters.json_limits import (
    JsonLimitError,
    bad_string,
    loads_bounded,
    may_hold_bad_strings,
)

MAX_JSON_BODY_BYTES = 65536
MAX_JSON_BODY_DEPTH = 16


def check_json_body(body: bytes) -> None:
    """Raise ``JsonLimitError`` if ``body`` is too deep, not JSON, or holds a bad string."""
    value = loads_bounded(body, MAX_JSON_BODY_DEPTH) if body.strip() else None
    if may_hold_bad_strings(body):
        found = bad_string(value, "body")
        if found is not None:
            where, problem = found
            name = where.removeprefix("body.") if where != "body" else "body"
            raise JsonLimitError("bad_field", f"{name}: {problem}")


def _error(status: int, code: str, message: str) -> tuple[Message, Message]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start: Message = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    return start, {"type": "http.response.body", "body": body}


class JsonBodyGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _guarded(scope):
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            tracker = _BodyTracker(scope, receive, send)
            await self.app(scope, tracker.receive, tracker.send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BODY_BYTES:
                for reply in _error(413, "too_large",
                                    f"expected a JSON body of at most {MAX_JSON_BODY_BYTES} "
                                    f"bytes, got more"):
                    await send(reply)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_json_body(body)
        except JsonLimitError as exc:
            for reply in _error(400, exc.code, exc.message):
                await send(reply)
            return
        await self.app(scope, _replay(body, receive), send)


class _BodyTracker:
    """A request whose body the route did not read to the end is answered with
    ``Connection: close``.

    A route that answers without reading the body (a 404, a 405, a logout) leaves Hypercorn a
    request that is not over; it then sometimes closed the keep-alive connection after the
    response without saying so, and a client that sent its next request on it got no answer
    ("server disconnected", found by tests/fuzz). Saying so lets the client open a new one."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        self._has_body = any(
            (k.lower() == b"content-length" and v.strip() not in (b"", b"0"))
            or k.lower() == b"transfer-encoding" for k, v in headers)
        self._receive = receive
        self._send = send
        self._done = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._done = True
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and self._has_body and not self._done:
            headers = [*message.get("headers", []), (b"connection", b"close")]
            message = {**message, "headers": headers}
        await self._send(message)


def _guarded(scope: Scope) -> bool:
    if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
        return False
    if scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    return b"json" in ctype.lower()


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
