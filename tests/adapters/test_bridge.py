"""The actor-thread -> trio bridge: ordered, never blocking, never raising into the loop."""

from __future__ import annotations

import threading

import pytest
import trio

from frontdesk.adapters.bridge import Bridge, CloseAfter, Delivery, Outbox
from frontdesk.engine.notices import Notice, OperatorsChanged, QueueLength, TypingChanged


def pos(n: int) -> TypingChanged:
    """A notice that is not coalesced (numbered by its seq): every one must arrive."""
    return TypingChanged("d-1", n, "visitor", True)


def in_thread(fn: object) -> threading.Thread:
    thread = threading.Thread(target=fn)  # type: ignore[arg-type]
    thread.start()
    return thread


async def test_notices_from_a_thread_arrive_in_order_with_their_tag() -> None:
    outbox = Bridge.capture().outbox(100)
    sub = outbox.subscriber("operator")
    thread = in_thread(lambda: [sub(pos(n)) for n in range(50)])
    got = []
    with trio.fail_after(5):
        for _ in range(50):
            item = await outbox.receive()
            assert isinstance(item, Delivery) and item.tag == "operator"
            got.append(item.notice)
    await trio.to_thread.run_sync(thread.join)
    assert got == [pos(n) for n in range(50)]


async def flushed(bridge: Bridge) -> None:
    """Wait until every run_sync_soon call made so far has run (the queue is FIFO)."""
    done = trio.Event()
    bridge.call_soon(done.set)
    with trio.fail_after(5):
        await done.wait()


async def test_a_burst_past_capacity_spills_in_order_without_blocking_or_raising() -> None:
    bridge = Bridge.capture()
    outbox = bridge.outbox(3)
    sub = outbox.subscriber("x")
    thread = in_thread(lambda: [sub(pos(n)) for n in range(10)])
    await trio.to_thread.run_sync(thread.join)
    await flushed(bridge)  # all ten were handed over; seven spilled
    assert (outbox.pushed, outbox.spilled, outbox.dropped) == (10, 7, 0)
    assert outbox.statistics() == 10 and outbox.congested_since is not None
    got = []
    with trio.fail_after(5):
        for _ in range(10):
            item = await outbox.receive()
            assert isinstance(item, Delivery)
            got.append(item.notice)
    assert got == [pos(n) for n in range(10)]
    assert outbox.congested_since is None and not outbox.overloaded.is_set()


async def test_a_reader_that_leaves_the_spill_too_long_is_overloaded(
    autojump_clock: trio.testing.MockClock,
) -> None:
    outbox = Bridge.capture().outbox(2, grace_s=5.0)
    for n in range(4):
        outbox.put({"type": "queue.length", "length": n})
    start = trio.current_time()
    await outbox.wait_overloaded()
    assert trio.current_time() - start == pytest.approx(5.0)
    assert outbox.overloaded.is_set()


async def test_a_spill_drained_in_time_is_not_an_overload(
    autojump_clock: trio.testing.MockClock,
) -> None:
    outbox = Bridge.capture().outbox(2, grace_s=5.0)
    for n in range(4):
        outbox.put({"n": n})
    async with trio.open_nursery() as nursery:
        nursery.start_soon(outbox.wait_overloaded)
        await trio.sleep(4.0)
        assert [await outbox.receive() for _ in range(4)] == [{"n": n} for n in range(4)]
        await trio.sleep(60.0)
        assert not outbox.overloaded.is_set()
        nursery.cancel_scope.cancel()


async def test_a_spill_past_max_overflow_is_an_overload_at_once() -> None:
    outbox = Bridge(trio.lowlevel.current_trio_token()).outbox(2)
    outbox.max_overflow = 3
    for n in range(6):
        outbox.put({"n": n})
    with trio.fail_after(1):
        await outbox.wait_overloaded()


async def test_a_closed_outbox_swallows_late_notices() -> None:
    bridge = Bridge.capture()
    outbox = bridge.outbox(3)
    outbox.close()
    sub = outbox.subscriber("x")
    await trio.to_thread.run_sync(lambda: sub(QueueLength(1)))
    await flushed(bridge)
    assert outbox.dropped == 1
    assert not outbox.overloaded.is_set()


@pytest.mark.allow_error_logs
async def test_reply_to_runs_the_callback_on_the_trio_thread_and_survives_its_error() -> None:
    outbox = Bridge.capture().outbox(3)
    trio_thread = threading.get_ident()
    seen: list[tuple[int, int]] = []
    done = trio.Event()

    def callback(notice: Notice) -> None:
        assert isinstance(notice, QueueLength)
        seen.append((threading.get_ident(), notice.length))
        done.set()
        raise RuntimeError("a failing handler must not crash the loop")

    reply = outbox.reply_to("open", callback)
    await trio.to_thread.run_sync(lambda: reply(QueueLength(4)))
    with trio.fail_after(5):
        await done.wait()
    assert seen == [(trio_thread, 4)]


async def test_server_frames_and_close_requests_share_the_queue_in_order() -> None:
    outbox = Bridge.capture().outbox(5)
    outbox.put({"type": "hello"})
    outbox.put(CloseAfter(1000, "bye"))
    assert await outbox.receive() == {"type": "hello"}
    assert await outbox.receive() == CloseAfter(1000, "bye")


def test_a_subscriber_called_after_the_loop_ended_does_nothing() -> None:
    holder: list[tuple[Bridge, Outbox]] = []

    async def main() -> None:
        bridge = Bridge.capture()
        holder.append((bridge, bridge.outbox(2)))

    trio.run(main)
    bridge, outbox = holder[0]
    sub = outbox.subscriber("x")
    sub(QueueLength(1))  # RunFinishedError is swallowed
    sub(QueueLength(2))  # and the batch it was in did not stay scheduled for ever
    bridge.call_soon(lambda: None)


def test_an_outbox_needs_room() -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="at least 1"):
            Bridge.capture().outbox(0)

    trio.run(main)


def ops(*names: str) -> OperatorsChanged:
    return OperatorsChanged(tuple({"id": x, "name": x.capitalize()} for x in names))


async def drain(outbox: Outbox, count: int) -> list[Delivery]:
    got: list[Delivery] = []
    with trio.fail_after(5):
        for _ in range(count):
            item = await outbox.receive()
            assert isinstance(item, Delivery)
            got.append(item)
    assert outbox.statistics() == 0
    return got


async def test_a_waiting_latest_value_frame_is_replaced_not_queued_again() -> None:
    bridge = Bridge.capture()
    outbox = bridge.outbox(3)  # small: the burst spills, and coalescing works there too
    sub = outbox.subscriber("operator")

    def burst() -> None:
        sub(pos(1))
        for n in range(100):
            sub(QueueLength(n))
            sub(ops(*[f"op{i}" for i in range(n % 5)]))
            sub(pos(n + 2))

    thread = in_thread(burst)
    await trio.to_thread.run_sync(thread.join)
    await flushed(bridge)
    assert outbox.statistics() == 1 + 2 + 100 and outbox.coalesced == 2 * 99
    got = await drain(outbox, 103)
    # each latest-value frame keeps the first one's place and carries the last value
    assert [d.notice for d in got[:4]] == [
        pos(1),
        QueueLength(99),
        ops("op0", "op1", "op2", "op3"),
        pos(2),
    ]
    assert [d.notice for d in got[4:]] == [pos(n + 2) for n in range(1, 100)]
    assert {d.tag for d in got} == {"operator"}


async def test_a_latest_value_frame_already_taken_by_the_writer_is_not_replaced() -> None:
    bridge = Bridge.capture()
    outbox = bridge.outbox(10)
    sub = outbox.subscriber("operator")
    sub(QueueLength(1))
    await flushed(bridge)
    first = await drain(outbox, 1)  # written: a newer value must come as a new frame
    sub(QueueLength(2))
    sub(QueueLength(3))
    await flushed(bridge)
    assert [d.notice for d in first + await drain(outbox, 1)] == [QueueLength(1), QueueLength(3)]
    sub(QueueLength(4))
    await flushed(bridge)
    assert [d.notice for d in await drain(outbox, 1)] == [QueueLength(4)]
    assert outbox.coalesced == 1


async def test_latest_value_frames_of_different_subscriptions_are_kept_apart() -> None:
    bridge = Bridge.capture()
    outbox = bridge.outbox(10)
    a, b = outbox.subscriber("a"), outbox.subscriber("b")
    a(QueueLength(1))
    b(QueueLength(2))
    a(QueueLength(3))
    await flushed(bridge)
    outbox.put({"type": "queue.length", "length": 9})  # server frames are never coalesced
    outbox.put({"type": "queue.length", "length": 10})
    await flushed(bridge)
    got = []
    with trio.fail_after(5):
        for _ in range(4):
            item = await outbox.receive()
            got.append((item.tag, item.notice) if isinstance(item, Delivery) else item)
    assert got == [
        ("a", QueueLength(3)),
        ("b", QueueLength(2)),
        {"type": "queue.length", "length": 9},
        {"type": "queue.length", "length": 10},
    ]


async def test_notices_handed_over_in_a_row_cost_one_wakeup() -> None:
    bridge = Bridge.capture()
    outboxes = [bridge.outbox(4) for _ in range(50)]
    subs = [o.subscriber("q") for o in outboxes]
    reply_seen: list[object] = []
    reply = outboxes[0].reply_to("r", reply_seen.append)

    def engine_thread() -> None:
        for sub in subs:
            sub(A_NOTICE)
        reply(QueueLength(9))

    await trio.to_thread.run_sync(engine_thread)
    for o in outboxes:
        item = await o.receive()
        assert isinstance(item, Delivery) and item.notice is A_NOTICE
    # the reply ran on the trio thread, after the deliveries handed over before it
    assert reply_seen == [QueueLength(9)]
    assert bridge.wakeups.calls == 51 and bridge.wakeups.batches < 51


A_NOTICE = QueueLength(3)


async def test_latest_values_are_paced_and_do_not_hold_up_other_frames(
    autojump_clock: trio.abc.Clock,
) -> None:
    outbox = Bridge.capture().outbox(10, latest_interval_s=1.0)
    start = trio.current_time()
    outbox.put(Delivery("q", QueueLength(1)))
    first = await outbox.receive()
    assert isinstance(first, Delivery) and first.notice == QueueLength(1)
    outbox.put(Delivery("q", QueueLength(2)))
    outbox.put({"type": "dialog.message"})
    outbox.put(Delivery("q", QueueLength(3)))
    # the message goes at once; the queue length waits for its turn, with its newest value
    assert await outbox.receive() == {"type": "dialog.message"}
    assert trio.current_time() == start
    paced = await outbox.receive()
    assert isinstance(paced, Delivery) and paced.notice == QueueLength(3)
    assert trio.current_time() - start >= 1.0
    assert outbox.coalesced == 1
