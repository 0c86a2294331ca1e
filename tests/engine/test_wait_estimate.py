"""engine/wait_estimate.py and the queue telling it with each position (pure calls)."""

from __future__ import annotations

from frontdesk.engine import events, messages, notices, queue_state
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.replay import fold
from frontdesk.engine.wait_estimate import RecentWaits, estimate_s
from tests.engine.test_queue_state import feed, told


def test_the_median_times_the_position_rounded_to_a_minute() -> None:
    assert estimate_s([], 1) is None  # no history: nothing is said
    assert estimate_s([100.0], 0) is None
    assert estimate_s([20.0], 1) == 0.0  # less than a minute
    assert estimate_s([50.0, 70.0, 3000.0], 1) == 60.0  # the median: one long wait is not all
    assert estimate_s([50.0, 70.0, 3000.0], 3) == 240.0  # 210 s: halves round up
    assert estimate_s([50.0, 70.0, 3000.0], 2) == 120.0
    assert estimate_s([100.0, 140.0], 2) == 240.0  # median 120 s, twice


def test_only_the_last_assignments_count() -> None:
    waits = RecentWaits(size=3, waits=[600.0, 600.0, 600.0])
    assert waits.estimate(1) == 600.0
    for _ in range(2):
        waits = waits.add(20.0)
    assert waits.estimate(1) == 0.0 and len(waits) == 3
    assert waits.estimate(4) == 60.0  # 80 s
    waits = waits.add(-5.0)  # a clock step back: no negative wait
    assert waits.estimate(1) == 0.0


def test_the_queue_learns_from_assignments_and_tells_the_estimate_with_positions() -> None:
    s, fx = feed(messages.Enqueue("d-1", 1, 0), messages.Enqueue("d-2", 2, 0),
                 messages.Enqueue("d-3", 3, 0))
    assert [(p.position, p.estimate_s) for p in told(fx, messages.Position)] == [
        (1, None), (2, None), (3, None)]  # nobody assigned yet: no estimate
    s, _ = queue_state.step(s, messages.Dequeue("d-1", 150.0))  # d-1 assigned after 150 s: 2.5 min
    s, fx2 = queue_state.tell_changes(s, 10.0)
    assert [(p.dialog, p.position, p.estimate_s) for p in told(fx2, messages.Position)] == [
        ("d-2", 1, 180.0), ("d-3", 2, 300.0)]
    s, _ = queue_state.step(s, messages.Dequeue("d-2"))  # closed while waiting: nothing learnt
    assert len(s.waits) == 1


def test_the_frame_carries_it() -> None:
    frame = notices.QueuePosition("d-2", 1, 2, 120.0).to_wire()
    assert frame == {"type": "dialog.position", "dialog": "d-2", "seq": 1, "position": 2,
                     "estimated_wait_s": 120.0}


def test_after_a_restart_the_estimate_starts_from_the_journaled_assignments() -> None:
    j = MemoryJournal()
    j.append([events.to_new_event(e) for e in (
        events.OperatorLoggedIn(operator="ann", at=1.0, name="Ann"),
        events.OperatorLoggedIn(operator="bob", at=1.0, name="Bob"),
        events.DialogOpened(dialog="d-1", at=2.0, seq=1, number=1, token_hash="t",
                            visitor_name="V"),
        events.DialogOpened(dialog="d-2", at=3.0, seq=1, number=2, token_hash="u",
                            visitor_name="W"),
        events.DialogAssigned(dialog="d-1", at=92.0, seq=2, operator="ann", operator_name="Ann"),
        events.DialogTransferred(dialog="d-1", at=500.0, seq=3, from_operator="ann",
                               from_name="Ann", to_operator="bob", to_name="Bob"),
    )], 1)
    f = fold(j.read(), default_capacity=3)
    assert list(f.waits) == [90.0]  # the transfer is no wait in the queue
    queue = f.queue_state()
    assert queue.order() == ["d-2"] and queue.waits.estimate(1) == 120.0  # 1.5 min
