"""Loopback ports for a server that binds them later (a child process, a server restarted).

``bind(port 0)`` then ``close()`` names a port that is free only for a moment: until the
server binds it, the kernel may give it to anything that asks for an ephemeral port
(an outgoing connection, another listener on port 0), and the server then fails to
start. So a port handed out here is never in the kernel's ephemeral range; each pytest
xdist worker (and each process outside xdist) takes its ports from its own block below
that range; and a process never hands out one port twice. A port that something
already holds is skipped, and so is one a browser refuses to load a page from
(Chromium's and Firefox's restricted ports: ``ERR_UNSAFE_PORT``, found by CI on 10080).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

LOWEST = 10_000  # above the well-known and registered ports test machines tend to run
BLOCK = 1_000
# the restricted ports of Chromium (net/base/port_util.cc) and Firefox at or above LOWEST
BROWSER_REFUSED = frozenset({10080})
_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_range() -> tuple[int, int]:
    """The ports the kernel picks from for port 0 and outgoing connections (inclusive)."""
    try:
        low, high = _RANGE_FILE.read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32_768, 65_535  # Linux's default start; macOS's 49152 start lies above it


def worker_block(worker: str, pid: int) -> range:
    """The block of ports of xdist worker ``gwN``, or of process ``pid`` outside xdist.

    Workers take the lower half of the blocks, other processes (a run outside xdist, a
    benchmark) the upper half, chosen by pid.
    """
    blocks = (ephemeral_range()[0] - LOWEST) // BLOCK
    if blocks < 2:
        raise RuntimeError(
            f"no room below the ephemeral range {ephemeral_range()} for ports from {LOWEST}"
        )
    half = blocks // 2
    if worker.startswith("gw") and worker[2:].isdigit():
        index = int(worker[2:]) % half
    else:
        index = half + pid % (blocks - half)
    start = LOWEST + index * BLOCK
    return range(start, start + BLOCK)


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LoopbackPorts:
    """Hands out the ports of ``block`` in turn from ``start``, each once, skipping held ones."""

    def __init__(self, block: range, start: int) -> None:
        self.block = block
        self._next = start % len(block)
        self._left = len(block)

    def take(self) -> int:
        while self._left:
            port = self.block[self._next]
            self._next = (self._next + 1) % len(self.block)
            self._left -= 1
            if port not in BROWSER_REFUSED and _bindable(port):
                return port
        raise RuntimeError(
            f"every port of {self.block.start}-{self.block.stop - 1} was handed out or is held"
        )


_ports = LoopbackPorts(
    worker_block(os.environ.get("PYTEST_XDIST_WORKER", ""), os.getpid()), start=os.getpid()
)


def free_port() -> int:
    """A loopback port no one holds, that the kernel will not hand out meanwhile."""
    return _ports.take()
