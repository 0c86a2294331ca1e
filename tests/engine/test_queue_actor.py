"""Routing through the real actors: statuses, capacity, order, positions."""

from __future__ import annotations

import pytest

from frontdesk.engine import notices
from frontdesk.engine.queue_state import POSITIONS_CHUNK
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def holders(h: EngineHarness) -> dict[str, str | None]:
    return {d["id"]: d["operator"] for d in h.snapshot()["dialogs"]}


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.CONNECTED])
def test_only_connected_receives_new_dialogs(harness: EngineHarness, status: Status) -> None:
    ann = harness.login("ann", status=status)
    vera = harness.visitor("Vera")
    vera.open()
    assert harness.snapshot()["queue"] == [vera.dialog]
    assert vera.position == 1
    ann.set_status(Status.CONNECTED)
    assert holders(harness) == {vera.dialog: "ann"}


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.CONNECTED])
def test_current_dialogs_go_on_in_every_status(harness: EngineHarness, status: Status) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    ann.set_status(status)
    assert isinstance(ann.say(vera, "still here"), notices.Ack)
    assert isinstance(vera.say("thanks"), notices.Ack)
    ann.probe.expect({"type": "operator.status", "status": status.value})


def test_capacity_is_respected_and_freeing_assigns_in_order(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=2)
    vs = [harness.visitor(f"V{i}") for i in range(5)]
    for v in vs:
        v.open()
    snap = harness.snapshot()
    assert snap["queue"] == [vs[2].dialog, vs[3].dialog, vs[4].dialog]
    assert [v.position for v in vs[2:]] == [1, 2, 3]
    ann.probe.expect({"type": "queue.length", "length": 3})

    ann.close(vs[0])  # a close frees a slot
    assert holders(harness)[vs[2]._need()] == "ann"
    harness.advance(1)  # changes of position are paced (position_interval_s)
    assert [v.position for v in vs[3:]] == [1, 2]

    ann.set_capacity(3)  # capacity raised
    assert holders(harness)[vs[3]._need()] == "ann"
    assert harness.snapshot()["queue"] == [vs[4].dialog]


def test_status_back_to_connected_and_login_assign(harness: EngineHarness) -> None:
    ann = harness.login("ann", status=Status.ON_BREAK)
    v1, v2 = harness.visitor("A"), harness.visitor("B")
    v1.open()
    v2.open()
    assert harness.snapshot()["queue"] == [v1.dialog, v2.dialog]
    harness.login("bob", capacity=1)  # login frees capacity
    assert holders(harness) == {v1.dialog: "bob", v2.dialog: None}
    ann.set_status(Status.CONNECTED)  # back to Connected
    assert holders(harness) == {v1.dialog: "bob", v2.dialog: "ann"}


def test_transfer_out_frees_capacity(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=1)
    bob = harness.login("bob", capacity=2, status=Status.ON_BREAK)
    v1, v2 = harness.visitor("A"), harness.visitor("B")
    v1.open()
    v2.open()
    assert harness.snapshot()["queue"] == [v2.dialog]
    assert isinstance(ann.transfer(v1, bob), notices.Ack)
    assert holders(harness) == {v1.dialog: "bob", v2.dialog: "ann"}


def test_priority_goes_ahead_of_arrival(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=1, status=Status.ON_BREAK)
    low1, low2 = harness.visitor("L1"), harness.visitor("L2")
    vip = harness.visitor("VIP", priority=5)
    low1.open()
    low2.open()
    vip.open()
    assert harness.snapshot()["queue"] == [vip.dialog, low1.dialog, low2.dialog]
    harness.advance(1)  # the ones the VIP went ahead of are told when the interval ends
    assert (vip.position, low1.position, low2.position) == (1, 2, 3)
    ann.set_status(Status.CONNECTED)
    assert holders(harness)[vip._need()] == "ann"


def test_choice_fewest_dialogs_then_longest_idle(harness: EngineHarness) -> None:
    harness.login("ann")
    harness.advance(10)
    harness.login("bob")
    vs = [harness.visitor(f"V{i}") for i in range(4)]
    got = []
    for v in vs:
        v.open()
        got.append(holders(harness)[v._need()])
        harness.advance(1)
    # ann and bob both free: ann waited longest (never assigned; ties by id), then bob, ...
    assert got == ["ann", "bob", "ann", "bob"]


def test_positions_told_when_they_change(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=1)
    first = harness.visitor("First")
    first.open()
    waiting = [harness.visitor(f"W{i}") for i in range(3)]
    for w in waiting:
        w.open()
    assert [w.position for w in waiting] == [1, 2, 3]
    waiting[2].probe.clear()
    waiting[0].close()
    harness.advance(1)
    assert [w.position for w in waiting[1:]] == [1, 2]
    waiting[2].probe.expect({"type": "dialog.position", "position": 2})
    waiting[2].probe.expect_no(notices.QueuePosition)  # told once, not repeated
    ann.close(first)
    harness.advance(1)
    assert waiting[2].position == 1
    assert waiting[1].probe.of_type(notices.DialogAssigned)


def test_operators_hear_queue_length_and_operator_list(harness: EngineHarness) -> None:
    ann = harness.login("ann", status=Status.ON_BREAK)
    ann.probe.expect({"type": "operators"})
    harness.visitor("A").open()
    ann.probe.expect({"type": "queue.length", "length": 1})
    harness.login("bob")
    ann.probe.expect({"type": "queue.length", "length": 0})
    ops = ann.probe.of_type(notices.OperatorsChanged)[-1]
    assert [(o["id"], o["status"], o["load"]) for o in ops.operators] == [
        ("ann", "on_break", 0),
        ("bob", "connected", 1),
    ]


def test_logout_requeues_held_dialogs(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    assert isinstance(ann.logout(), notices.Ack)
    ann.probe.expect_terminated("operator:ann")
    vera.probe.expect({"type": "dialog.requeued", "operator": "ann"})
    assert harness.snapshot()["queue"] == [vera.dialog]
    harness.login("bob")
    assert holders(harness) == {vera.dialog: "bob"}
    assert isinstance(ann.set_status(Status.CONNECTED), notices.Rejected)


def test_position_changes_are_paced_and_a_dialog_that_joins_is_told_at_once(
    harness: EngineHarness,
) -> None:
    harness.login("ann", status=Status.ON_BREAK)
    vs = [harness.visitor(f"V{i}") for i in range(4)]
    for v in vs:
        v.open()
    assert [v.position for v in vs] == [1, 2, 3, 4]  # each told on joining, at the same time
    harness.advance(5)
    vs[0].close()  # the first change after a quiet interval is told at once
    assert [v.position for v in vs[1:]] == [1, 2, 3]
    for v in vs[2:]:
        v.probe.clear()
    vs[1].close()  # within the interval: held back
    late = harness.visitor("Late")
    late.open()
    assert late.position == 3  # a dialog that joins is told its place at once
    assert [v.position for v in vs[2:]] == [2, 3]
    vs[2].probe.expect_no(notices.QueuePosition)
    harness.advance(0.5)
    assert [v.position for v in vs[2:]] == [2, 3]
    harness.advance(0.5)  # the interval ends: every change of it, told once
    assert [v.position for v in vs[2:]] == [1, 2]
    for v in vs[2:]:
        v.probe.expect({"type": "dialog.position"})
        v.probe.expect_no(notices.QueuePosition)
    assert late.position == 3


def test_a_long_queue_hears_every_change_through_a_broadcast_in_chunks(
    harness: EngineHarness,
) -> None:
    harness.login("ann", status=Status.ON_BREAK)
    vs = [harness.visitor(f"V{i}") for i in range(2 * POSITIONS_CHUNK + 5)]
    for v in vs:
        v.open()
    harness.advance(5)
    vs[0].close()  # told at once, in three chunks
    vs[1].close()  # within the interval: when it ends
    assert [v.position for v in vs[2:]] == list(range(2, len(vs)))
    harness.advance(1)
    assert [v.position for v in vs[2:]] == list(range(1, len(vs) - 1))


def test_a_queue_that_empties_within_an_interval_leaves_no_timer_behind() -> None:
    # once, the positions timer fired on the empty queue and re-armed itself due at once,
    # for ever: the clock's thread and the engine spun at thousands of ticks a second
    with EngineHarness(EngineSettings(visitor_inactivity_timeout_s=0)) as h:
        h.login("ann", status=Status.ON_BREAK)
        first = h.visitor("First")
        first.open()
        h.advance(0.5)
        late = h.visitor("Late")
        late.open()  # joins within the interval: the rest would be told when it ends
        first.close()
        late.close()
        h.advance(1)  # the interval ends on an empty queue
        h.advance(1)
        assert h.clock.pending() == 0
