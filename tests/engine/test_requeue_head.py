"""An operator who vanishes puts their dialogs back at the head of the queue, not the
tail (issue 17, finding 3): the visitor keeps their place, ahead of every dialog that
never had an operator, even one of a higher priority; the requeue is journaled, so a
replayed queue has it at the head too."""

from __future__ import annotations

from frontdesk.engine import messages, notices
from frontdesk.engine.queue_state import Entry, QueueState, step
from frontdesk.engine.testing import EngineHarness


def test_a_requeued_dialog_goes_back_at_the_head(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=1)
    vera = harness.visitor("Vera")
    vera.open()
    urgent = harness.visitor("Urgent", priority=5)
    urgent.open()
    late = harness.visitor("Late")
    late.open()
    assert harness.snapshot()["queue"] == [urgent.dialog, late.dialog]
    assert isinstance(ann.logout(), notices.Ack)
    requeued = vera.probe.expect(notices.DialogRequeued)
    assert isinstance(requeued, notices.DialogRequeued) and requeued.operator == "ann"
    assert harness.snapshot()["queue"] == [vera.dialog, urgent.dialog, late.dialog]
    harness.advance(60)  # positions are paced (position_interval_s): the held-back ones come
    assert vera.position == 1 and urgent.position == 2 and late.position == 3
    bob = harness.login("bob", capacity=1)
    bob.probe.expect({"type": "operator.dialog_added", "dialog": vera.dialog})
    assert harness.snapshot()["queue"] == [urgent.dialog, late.dialog]


def test_the_head_holds_among_requeued_ones_by_priority_then_arrival() -> None:
    q = QueueState.rebuilt(
        [
            Entry("d-1", 1, 0),
            Entry("d-2", 2, 5),
            Entry("d-3", 3, 0, head=True),
            Entry("d-4", 4, 5, head=True),
        ]
    )
    assert q.order() == ["d-4", "d-3", "d-2", "d-1"]
    assert [e.head for e in q.entries] == [True, True, False, False]
    q, _ = step(q, messages.Enqueue("d-5", 5, 0, head=True))
    assert q.order() == ["d-4", "d-3", "d-5", "d-2", "d-1"]
