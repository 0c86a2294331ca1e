"""The queue's state is a value (issue 18, item 2): a step returns a new state and leaves
the one it was given as it was, so a test, the inspection or a failed step can hold on to
any state it saw."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.engine import messages, queue_state
from tests.engine.test_queue_state import avail, feed, flush_all


def test_a_step_leaves_the_state_it_was_given_unchanged() -> None:
    before, _ = feed(avail("ann", capacity=1), messages.Enqueue("d-1", 1, 0),
                     messages.Enqueue("d-2", 2, 0))
    entries, operators = before.entries, dict(before.operators)
    after, _ = queue_state.step(before, messages.Enqueue("d-3", 3, 0))
    after, _ = queue_state.step(after, messages.OfferDeclined("d-1", "ann", avail("ann", load=1)))
    after, _ = queue_state.step(after, messages.Dequeue("d-2"))
    after, _ = flush_all(after)
    assert after is not before
    assert before.entries == entries and dict(before.operators) == operators
    assert not before.flush_pending
    assert after.order() == ["d-1", "d-3"]


def test_the_state_cannot_be_changed_in_place() -> None:
    s = queue_state.QueueState()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.flush_pending = True  # type: ignore[misc]


def test_an_old_state_stepped_again_gives_the_same_answer() -> None:
    s, _ = feed(avail("ann", capacity=2), messages.Enqueue("d-1", 1, 0))
    first = queue_state.step(s, messages.Enqueue("d-2", 2, 0))
    again = queue_state.step(s, messages.Enqueue("d-2", 2, 0))
    assert first[1] == again[1] and first[0].entries == again[0].entries
