"""What the client raises beyond ``ClientError``, and how a failed dial is told.

A developer reads these when a script or a test fails, so each names the cause
the server or the network gave: the refused upgrade's status and error code
(``403 no_session: the operator endpoint needs an operator session``), the
refused TCP connection, the handshake that never came.
"""

from __future__ import annotations

import json
from typing import Any

from frontdesk.adapters.client.http import ClientError

Frame = dict[str, Any]


class RefusedError(ClientError):
    """The server answered a request with an ``error`` frame (``.code``, ``.frame``)."""

    def __init__(self, frame: Frame) -> None:
        super().__init__(f"{frame.get('code')}: {frame.get('message')}")
        self.code: str = frame.get("code", "")
        self.frame = frame


class UpgradeRefusedError(ClientError):
    """The server refused the websocket upgrade: ``.status`` (HTTP), ``.body``, and
    ``.code`` / ``.reason`` from its JSON error body (``""`` when it had none)."""

    def __init__(self, status: int, body: bytes, url: str = "") -> None:
        self.status = status
        self.body = body
        self.code, self.reason = _error_of(body)
        where = f" by {url}" if url else ""
        said = f"{self.code}: {self.reason}" if self.code else repr(body[:200])
        super().__init__(f"websocket upgrade refused{where}: HTTP {status} {said}")


def _error_of(body: bytes) -> tuple[str, str]:
    try:
        error = json.loads(body or b"null")["error"]
        code, message = error.get("code", ""), error.get("message", "")
    except (ValueError, TypeError, KeyError, AttributeError):
        return "", ""
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def why_failed(exc: BaseException) -> str:
    """The cause of a failed dial in one line: the innermost errors trio wrapped
    (``all attempts to connect ... failed`` hides ``Connection refused``)."""
    leaves: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        one = todo.pop(0)
        inner = one.__cause__
        if isinstance(one, BaseExceptionGroup):
            todo.extend(one.exceptions)
        elif inner is not None:
            todo.append(inner)
        else:
            leaves.append(one)
    return "; ".join(str(x) or type(x).__name__ for x in leaves)
