"""Probe semantics: ordered reading, matching, and clear failures."""

from __future__ import annotations

import threading

import pytest

from frontdesk.engine import notices
from frontdesk.engine.testing import EngineHarness, Probe


def test_expect_reads_in_order_and_consumes() -> None:
    p = Probe()
    p(notices.QueueLength(1))
    p(notices.QueueLength(2))
    p(notices.QueueLength(3))
    assert p.expect({"length": 2}) == notices.QueueLength(2)
    assert p.unread == [notices.QueueLength(3)]
    with pytest.raises(AssertionError, match=r"expected .*length.*: 1"):
        p.expect({"length": 1}, timeout=0.01)


def test_match_by_type_tuple_predicate_and_fields() -> None:
    p = Probe()
    p(notices.Ack("r1", "d-1", 3))
    assert p.expect((notices.Rejected, notices.Ack)) == notices.Ack("r1", "d-1", 3)
    p(notices.Rejected("r2", "closed", "it is closed"))
    assert p.fish_for(lambda x: isinstance(x, notices.Rejected) and x.code == "closed")


def test_expect_waits_for_a_notice_from_another_thread() -> None:
    p = Probe()
    t = threading.Timer(0.05, p, args=(notices.QueueLength(7),))
    t.start()
    assert p.expect(notices.QueueLength, timeout=5) == notices.QueueLength(7)
    t.join()


def test_expect_no_and_clear() -> None:
    p = Probe()
    p(notices.QueueLength(1))
    with pytest.raises(AssertionError, match="unexpected QueueLength"):
        p.expect_no(notices.QueueLength)
    p.clear()
    p.expect_no(notices.QueueLength)
    assert p.of_type(notices.QueueLength) == [notices.QueueLength(1)]


def test_expect_terminated_needs_an_engine() -> None:
    with pytest.raises(AssertionError, match="not attached"):
        Probe().expect_terminated("dialog:d-1")


# --- strict, unordered, counted and bounded expectations (Akka TestKit's set) ----------


def test_expect_next_is_strict_about_the_very_next_notice() -> None:
    p = Probe()
    p(notices.QueueLength(1))
    p(notices.QueueLength(2))
    assert p.expect_next({"length": 1}) == notices.QueueLength(1)
    with pytest.raises(AssertionError, match=r"next notice to be .*length.*: 3.* but it is"):
        p.expect_next({"length": 3}, timeout=5)
    assert p.unread == [notices.QueueLength(2)]  # a miss consumes nothing


def test_expect_all_takes_each_in_any_order_and_skips_the_rest() -> None:
    p = Probe()
    for x in (notices.QueueLength(1), notices.Ack("r1"), notices.QueueLength(2),
              notices.Rejected("r2", "closed", "x")):
        p(x)
    got = p.expect_all(notices.Rejected, {"type": "ack", "ref": "r1"})
    assert got == [notices.Ack("r1"),
                   notices.Rejected("r2", "closed", "x")]  # in the order they came
    with pytest.raises(AssertionError, match=r"all of QueueLength \(still missing\)"):
        p.expect_all(notices.QueueLength, timeout=0.01)


def test_receive_n_returns_the_next_notices_whatever_they_are() -> None:
    p = Probe()
    p(notices.QueueLength(1))
    p(notices.Ack("r1"))
    assert p.receive_n(2) == [notices.QueueLength(1), notices.Ack("r1")]
    with pytest.raises(AssertionError, match=r"expected 1 notices within 0\.01 s"):
        p.receive_n(1, timeout=0.01)


def test_within_shares_its_time_between_the_expectations_of_the_block() -> None:
    p = Probe()
    p(notices.QueueLength(1))
    with p.within(5):
        p.expect(notices.QueueLength, timeout=30)
    with pytest.raises(AssertionError, match=r"the time left in within\(\)"), p.within(0.05):
        p.expect(notices.Ack, timeout=30)  # would wait 30 s without the block's bound


def test_a_dict_matcher_with_a_key_no_such_notice_has_fails_at_once() -> None:
    p = Probe()
    with pytest.raises(TypeError, match=r"'txt' is no field of a dialog.message notice"):
        p.expect({"type": "dialog.message", "txt": "hi"}, timeout=30)
    with pytest.raises(TypeError, match=r"no notice has type 'dialog.mesage'"):
        p.expect({"type": "dialog.mesage"}, timeout=30)
    with pytest.raises(TypeError, match=r"'lenght' is no field of any notice"):
        p.expect_no({"lenght": 1})


def test_a_timeout_points_out_the_near_misses() -> None:
    p = Probe()
    p(notices.DialogAssigned("d-1", 2, 0.0, "ann", "Ann"))
    with pytest.raises(AssertionError, match=r"near misses: dialog.assigned \(unread #0\): "
                       r"operator='ann' \(expected 'bob'\)"):
        p.expect({"type": "dialog.assigned", "dialog": "d-1", "operator": "bob"}, timeout=0.01)


def test_a_settled_engine_fails_an_expectation_at_once(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()  # nobody is logged in: it waits
    with pytest.raises(AssertionError, match="the engine is settled: nothing more will come"):
        vera.probe.expect(notices.DialogAssigned, timeout=60)  # would wait a minute otherwise


def test_a_failure_names_the_addresses_held_back(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    harness.hold(f"operator:{ann.id}")
    vera.open()
    with pytest.raises(AssertionError, match=r"held back by hold\(\): operator:ann"):
        vera.probe.expect(notices.DialogAssigned, timeout=60)
    harness.release(f"operator:{ann.id}")
    vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
