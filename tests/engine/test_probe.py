"""Probe semantics: ordered reading, matching, and clear failures."""

from __future__ import annotations

import threading

import pytest

from engine import notices as n
from engine.testing import Probe


def test_expect_reads_in_order_and_consumes() -> None:
    p = Probe()
    p(n.QueueLength(1))
    p(n.QueueLength(2))
    p(n.QueueLength(3))
    assert p.expect({"length": 2}) == n.QueueLength(2)
    assert p.unread == [n.QueueLength(3)]
    with pytest.raises(AssertionError, match=r"expected .*length.*: 1"):
        p.expect({"length": 1}, timeout=0.01)


def test_match_by_type_tuple_predicate_and_fields() -> None:
    p = Probe()
    p(n.Ack("r1", "d-1", 3))
    assert p.expect((n.Rejected, n.Ack)) == n.Ack("r1", "d-1", 3)
    p(n.Rejected("r2", "closed", "it is closed"))
    assert p.fish_for(lambda x: isinstance(x, n.Rejected) and x.code == "closed")


def test_expect_waits_for_a_notice_from_another_thread() -> None:
    p = Probe()
    t = threading.Timer(0.05, p, args=(n.QueueLength(7),))
    t.start()
    assert p.expect(n.QueueLength, timeout=5) == n.QueueLength(7)
    t.join()


def test_expect_no_and_clear() -> None:
    p = Probe()
    p(n.QueueLength(1))
    with pytest.raises(AssertionError, match="unexpected QueueLength"):
        p.expect_no(n.QueueLength)
    p.clear()
    p.expect_no(n.QueueLength)
    assert p.of_type(n.QueueLength) == [n.QueueLength(1)]


def test_expect_terminated_needs_an_engine() -> None:
    with pytest.raises(AssertionError, match="not attached"):
        Probe().expect_terminated("dialog:d-1")
