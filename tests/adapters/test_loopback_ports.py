"""Ports handed to a server that binds them later, in another process.

CI found a node that never answered (``tests/failover/test_epoch_resume.py``: "node a
never reached the expected state; last: None"). Its port had come from ``bind(port 0)``
and been closed at once, so until the child bound it the kernel was free to give it to
anything that asks for an ephemeral port: an outgoing connection of the other xdist
worker, a ``LinkProxy`` listening on port 0. A port from ``free_port`` is never one the
kernel hands out by itself, and never one another worker or an earlier call was given.
"""

from __future__ import annotations

import os
import socket

import pytest

from frontdesk.adapters.testing.ports import (
    LoopbackPorts,
    _bindable,
    ephemeral_range,
    free_port,
    worker_block,
)


def test_a_port_handed_out_is_outside_the_range_the_kernel_picks_from() -> None:
    low, high = ephemeral_range()
    for _ in range(20):
        port = free_port()
        assert not low <= port <= high, f"{port} is in the ephemeral range {low}-{high}"


def test_no_port_is_handed_out_twice() -> None:
    ports = [free_port() for _ in range(100)]
    assert len(set(ports)) == len(ports)


def test_each_worker_has_its_own_block() -> None:
    blocks = [worker_block(f"gw{n}", pid=1234) for n in range(8)]
    blocks += [worker_block("", pid=pid) for pid in (1, 2)]  # two processes outside xdist
    for i, one in enumerate(blocks):
        for other in blocks[i + 1:]:
            assert not set(one) & set(other), f"{one} and {other} overlap"


def _two_free_ports() -> int:
    """A port ``p`` of this process's own block with ``p + 1`` free too, as the machine is
    now: this worker's earlier servers may still hold ports of it (a connection of theirs
    in TIME_WAIT keeps a plain ``bind`` off its port), and no other worker takes from it."""
    block = worker_block(os.environ.get("PYTEST_XDIST_WORKER", ""), os.getpid())
    for port in range(block.start, block.stop - 1):
        if _bindable(port) and _bindable(port + 1):
            return port
    pytest.skip(f"no two adjacent free ports in {block.start}-{block.stop - 1}")


def test_a_port_something_already_listens_on_is_skipped() -> None:
    # (CI: it held the first port of gw0's block and expected the second, which that worker's
    # own servers still held: 10003 came)
    port = _two_free_ports()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        ports = LoopbackPorts(range(port, port + 2), start=0)
        assert ports.take() == port + 1


def test_a_block_used_up_is_an_error_naming_it() -> None:
    ports = LoopbackPorts(range(20000, 20002), start=0)
    ports.take(), ports.take()
    with pytest.raises(RuntimeError, match="20000-20001"):
        ports.take()


def test_a_port_a_browser_refuses_is_never_handed_out() -> None:
    # Chromium answered ERR_UNSAFE_PORT for a page on 10080 (tests/browser/test_status.py)
    ports = LoopbackPorts(range(10079, 10082), start=0)
    assert [ports.take(), ports.take()] == [10079, 10081]
