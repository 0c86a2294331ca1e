"""The child side of the suite <-> load generator line protocol (JSON lines on stdio)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import trio


class Control:
    """Reads commands from stdin, writes events to stdout; one JSON object a line."""

    def __init__(self) -> None:
        self._stdin = trio.lowlevel.FdStream(os.dup(sys.stdin.fileno()))
        self._buffer = b""

    def emit(self, event: str, **fields: Any) -> None:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()

    async def wait(self, command: str) -> dict[str, Any]:
        """The next command line; it must be ``command`` (a ``stop`` ends the process)."""
        while b"\n" not in self._buffer:
            chunk = await self._stdin.receive_some(65536)
            if not chunk:
                raise SystemExit(f"loadgen: stdin closed while waiting for {command!r}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        if message.get("cmd") != command:
            if message.get("cmd") == "stop":
                raise SystemExit(0)
            raise SystemExit(f"loadgen: expected command {command!r}, got {message!r}")
        return message
