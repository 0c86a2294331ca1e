"""Routing as plain function calls."""

from __future__ import annotations

from frontdesk.engine import messages, notices, queue_state
from frontdesk.engine.testing import Probe


def avail(
    op: str, load: int = 0, capacity: int = 2, status: str = "connected", last: float = 0.0
) -> messages.Availability:
    return messages.Availability(op, op.capitalize(), True, status, load, capacity, last)


def offers(effects: tuple[messages.Effect, ...]) -> list[tuple[str, str]]:
    return [
        (f.address, f.message.dialog)
        for f in effects
        if isinstance(f, messages.Tell) and isinstance(f.message, messages.Offer)
    ]


def feed(*msgs: object) -> tuple[queue_state.QueueState, list[messages.Effect]]:
    """Step through ``msgs`` as one burst, then flush (as the actor's FlushInfo would)."""
    s = queue_state.QueueState()
    out: list[messages.Effect] = []
    for msg in msgs:
        s, fx = queue_state.step(s, msg)
        out += fx
    s, fx = flush_all(s)
    return s, out + fx


def told(effects: tuple[messages.Effect, ...] | list[messages.Effect], kind: type) -> list[object]:
    return [f.message for f in effects if isinstance(f, messages.Tell)
            and isinstance(f.message, kind)]


def test_order_is_priority_then_arrival() -> None:
    s, _ = feed(messages.Enqueue("d-1", 1, 0), messages.Enqueue("d-2", 2, 1),
                messages.Enqueue("d-3", 3, 0))
    assert s.order() == ["d-2", "d-1", "d-3"]


def test_offer_goes_to_fewest_then_longest_idle() -> None:
    _, fx = feed(
        avail("ann", load=1),
        avail("bob", load=0, last=5),
        avail("cy", load=0, last=3),
        messages.Enqueue("d-1", 1, 0),
    )
    assert offers(tuple(fx)) == [("operator:cy", "d-1")]


def test_no_offer_to_non_connected_or_full() -> None:
    _, fx = feed(avail("ann", status="on_break"), avail("bob", load=2),
                 messages.Enqueue("d-1", 1, 0))
    assert offers(tuple(fx)) == []


def test_unanswered_offers_count_toward_load() -> None:
    _, fx = feed(avail("ann", capacity=1), messages.Enqueue("d-1", 1, 0),
                 messages.Enqueue("d-2", 2, 0))
    assert offers(tuple(fx)) == [("operator:ann", "d-1")]


def test_declined_goes_back_to_its_place() -> None:
    s, _ = feed(avail("ann", capacity=1), messages.Enqueue("d-1", 1, 0),
                messages.Enqueue("d-2", 2, 0))
    s, fx = queue_state.step(s,
        messages.OfferDeclined("d-1", "ann", avail("ann", status="phone", capacity=1)))
    assert s.order() == ["d-1", "d-2"] and offers(fx) == []
    s, fx = queue_state.step(s, avail("ann", capacity=1))
    assert offers(fx) == [("operator:ann", "d-1")]


def test_accepted_then_dequeued() -> None:
    s, _ = feed(avail("ann"), messages.Enqueue("d-1", 1, 0))
    s, _ = queue_state.step(s, messages.OfferAccepted("d-1", avail("ann", load=1)))
    assert s.entries[0].accepted
    s, _ = queue_state.step(s, messages.Dequeue("d-1"))
    assert s.order() == []


def test_undeliverable_offer_forgets_the_operator() -> None:
    s, _ = feed(avail("ann"), messages.Enqueue("d-1", 1, 0))
    s, fx = queue_state.step(s,
        messages.Undeliverable(messages.Offer("d-1"), "operator:ann", "absent"))
    assert "ann" not in s.operators and s.entries[0].offered_to is None and offers(fx) == []


def test_positions_and_length_told_only_on_change() -> None:
    s, fx = feed(messages.Enqueue("d-1", 1, 0), messages.Enqueue("d-2", 2, 0))
    assert told(fx, messages.Position) == [messages.Position("d-1", 1), messages.Position("d-2", 2)]
    s, fx2 = queue_state.step(s, messages.Dequeue("d-1"))
    assert fx2 == () and s.flush_pending
    s, fx2 = queue_state.step(s, messages.FlushInfo())
    assert told(fx2, messages.Position) == [messages.Position("d-2", 1)] and not s.flush_pending
    bounced = messages.Undeliverable(messages.Position("d-2", 1), "dialog:d-2", "absent")
    s, fx3 = queue_state.step(s, bounced)  # a step that changes nothing (None: TransitionError)
    s, fx4 = queue_state.step(s, messages.FlushInfo())
    assert fx3 == () and fx4 == ()


def test_a_burst_is_told_once_with_the_latest_values() -> None:
    s = queue_state.QueueState()
    s, _ = queue_state.step(s, avail("ann", capacity=0))
    assert queue_state.needs_flush(False, s)
    for i in range(1, 6):
        was_pending = s.flush_pending
        s, fx = queue_state.step(s, messages.Enqueue(f"d-{i}", i, 0))
        assert fx == () and not queue_state.needs_flush(was_pending,
                                                        s)  # one FlushInfo for the burst
    s, fx = queue_state.step(s, messages.Dequeue("d-1"))
    s, fx = queue_state.step(s, messages.FlushInfo())
    assert told(fx, messages.Position) == [messages.Position(f"d-{i}", i - 1) for i in range(2, 6)]
    # once, for every console and manager
    assert published(fx) == [notices.QueueLength(4),
                             notices.OperatorsChanged(queue_state.operators_list(s))]
    # d-5 leaves: only the positions behind it would change, and none is behind it
    s, _ = queue_state.step(s, messages.Dequeue("d-5"))
    s, fx = queue_state.step(s, messages.FlushInfo())
    assert told(fx, messages.Position) == [] and published(fx) == [notices.QueueLength(3)]
    s, _ = queue_state.step(s, avail("ann", capacity=0, status="phone"))
    s, fx = queue_state.step(s, messages.FlushInfo())
    assert published(fx) == [notices.OperatorsChanged(queue_state.operators_list(s))]


def published(effects: tuple[messages.Effect, ...]) -> list[object]:
    return [f.notice for f in effects if isinstance(f, messages.Publish)]


def test_a_console_that_watches_is_told_the_values_last_published() -> None:
    s, _ = feed(avail("ann"), messages.Enqueue("d-1", 1, 5), messages.Enqueue("d-2", 2, 0))
    console = Probe("console")
    fx = queue_state.told_now(s, console)
    assert [(f.subscribers, f.notice) for f in fx if isinstance(f, messages.Deliver)] == [
        ((console,), notices.QueueLength(2)),  # d-1 offered to ann is still in the queue
        ((console,), notices.OperatorsChanged(queue_state.operators_list(s))),
    ]


def test_an_undeliverable_flush_still_flushes() -> None:
    s, _ = queue_state.step(queue_state.QueueState(), messages.Enqueue("d-1", 1, 0))
    s, fx = queue_state.step(s, messages.Undeliverable(messages.FlushInfo(), "queue", "absent"))
    assert told(fx, messages.Position) == [messages.Position("d-1", 1)] and not s.flush_pending


def test_logged_out_availability_removes_operator() -> None:
    s, _ = feed(avail("ann"))
    s, _ = queue_state.step(s, messages.Availability("ann", "Ann", False, "connected", 0, 2, 0))
    assert s.operators == {}


def flush_all(s: queue_state.QueueState) -> tuple[queue_state.QueueState, list[messages.Effect]]:
    """A ``FlushInfo``, then the rest of its broadcast, chunk by chunk."""
    s, fx = queue_state.step(s, messages.FlushInfo())
    out = list(fx)
    while s.positions_more:
        s, fx = queue_state.tell_positions(s, 0.0)
        out += fx
    return s, out


def test_joining_a_long_queue_tells_one_position_and_leaving_its_head_tells_the_rest() -> None:
    s, _ = feed(*[messages.Enqueue(f"d-{i}", i, 0) for i in range(1, 1001)])
    s, _ = queue_state.step(s, messages.Enqueue("d-1001", 1001, 0))
    s, fx = flush_all(s)
    assert told(fx, messages.Position) == [messages.Position("d-1001", 1001)]
    s, _ = queue_state.step(s, messages.Dequeue("d-1"))
    s, fx = flush_all(s)
    assert len(told(fx, messages.Position)) == 1000
    # a priority dialog goes in front: everyone behind it moves
    s, _ = queue_state.step(s, messages.Enqueue("d-vip", 1002, 5))
    s, fx = flush_all(s)
    assert told(fx, messages.Position)[0] == messages.Position("d-vip",
        1) and len(told(fx, messages.Position)) == 1001


def test_rebuilt_state_keeps_offers_and_order() -> None:
    s = queue_state.QueueState.rebuilt(
        entries=[queue_state.Entry("d-2", 2, 0), queue_state.Entry("d-1", 1, 0, offered_to="ann")],
        operators={"ann": avail("ann", capacity=1)},
    )
    assert s.order() == ["d-1", "d-2"]
    s, fx = queue_state.step(s, avail("ann", capacity=1))
    assert offers(fx) == []  # ann's slot is taken by the unanswered offer
    s, fx = queue_state.step(s, messages.OfferDeclined("d-1", "ann", avail("ann", capacity=1)))
    assert offers(fx) == [("operator:ann", "d-1")]


def test_a_broadcast_goes_out_in_chunks_and_misses_no_change() -> None:
    n_waiting = 3 * queue_state.POSITIONS_CHUNK + 10
    s, _ = feed(*[messages.Enqueue(f"d-{i}", i, 0) for i in range(1, n_waiting + 1)])
    s, _ = queue_state.step(s, messages.Dequeue("d-1"))
    s, fx = queue_state.step(s, messages.FlushInfo())
    told_now = told(fx, messages.Position)
    assert len(told_now) == queue_state.POSITIONS_CHUNK and s.positions_more
    # the head leaves again mid-broadcast: the rest of the broadcast tells the newest places
    s, _ = queue_state.step(s, messages.Dequeue("d-2"))
    chunks = [told_now]
    while s.positions_more:
        s, fx = queue_state.tell_positions(s, 0.0)
        chunks.append(told(fx, messages.Position))
        assert len(chunks[-1]) <= queue_state.POSITIONS_CHUNK
    last: dict[str, int] = {}
    for chunk in chunks:
        for p in chunk:
            last[p.dialog] = p.position  # type: ignore[attr-defined]
    del last["d-2"]  # told its place in the first chunk, then it left
    assert last == {f"d-{i}": i - 2 for i in range(3, n_waiting + 1)}
    assert len(chunks) > 3


def test_a_broadcast_ends_when_the_dialogs_it_had_left_are_gone() -> None:
    n_waiting = queue_state.POSITIONS_CHUNK + 3
    s, _ = feed(*[messages.Enqueue(f"d-{i}", i, 0) for i in range(1, n_waiting + 1)])
    s, _ = queue_state.step(s, messages.Dequeue("d-1"))
    s, fx = queue_state.step(s, messages.FlushInfo())
    assert len(told(fx, messages.Position)) == queue_state.POSITIONS_CHUNK and s.positions_more
    for i in range(n_waiting - 2, n_waiting + 1):  # the ones not yet told leave
        s, _ = queue_state.step(s, messages.Dequeue(f"d-{i}"))
    s, fx = queue_state.tell_positions(s, 0.0)
    assert told(fx, messages.Position) == [] and not s.positions_more  # no endless TellPositions


def test_a_queue_that_empties_within_an_interval_has_nothing_left_due() -> None:
    s = queue_state.QueueState(position_interval_s=1.0)
    s, _ = queue_state.step(s, messages.Enqueue("d-1", 1, 0), 0.0)
    s, _ = queue_state.step(s, messages.FlushInfo(), 0.0)
    s, _ = queue_state.step(s, messages.Enqueue("d-2", 2, 0),
                            0.5)  # within the interval: a due time is set
    s, _ = queue_state.step(s, messages.FlushInfo(), 0.5)
    assert s.positions_due == 1.0
    for dialog in ("d-1", "d-2"):
        s, _ = queue_state.step(s, messages.Dequeue(dialog), 0.6)
    s, _ = queue_state.step(s, messages.FlushInfo(), 0.6)
    s, fx = queue_state.tell_positions(s, 1.0)  # the timer fires on an empty queue
    # a due time left in the past made the actor re-arm its timer at once, for ever
    assert told(fx, messages.Position) == [] and s.positions_due is None
