"""``Availability``: the outage state and the backoff of journal writes, on a test clock."""

from __future__ import annotations

import pytest

from frontdesk.adapters.storage.availability import FIRST_DELAY_S, MAX_DELAY_S, Availability
from frontdesk.engine.errors import JournalUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_from_the_first_delay_up_to_the_bound() -> None:
    clock = Clock()
    a = Availability("j.sqlite3", clock)
    waits = []
    for _ in range(8):
        a.failed("disk full")
        waits.append(a.next_probe_in(5.0))
        clock.now += waits[-1]
    assert waits == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])
    assert (FIRST_DELAY_S, MAX_DELAY_S) == (0.1, 2.0)


def test_writes_are_refused_until_an_attempt_is_due_then_one_goes_through() -> None:
    clock = Clock()
    a = Availability("j.sqlite3", clock)
    a.check("append")  # writable: no refusal
    a.failed("OperationalError: server closed the connection")
    with pytest.raises(JournalUnavailable, match=r"cannot append: the journal j.sqlite3 "
                       r"cannot be written \(OperationalError: server closed the connection\); "
                       r"the next attempt is in 0.1 s"):
        a.check("append")
    assert a.refused_total == 1
    clock.now += 0.1
    a.check("append")  # due: this write is the attempt
    a.succeeded()
    assert a.writable and a.reason() is None
    a.check("append")


def test_the_reason_names_the_journal_the_duration_and_the_attempts() -> None:
    clock = Clock()
    a = Availability("postgresql://fd@db/fd", clock)
    seen: list[bool] = []
    a.watch(seen.append)
    a.failed("connection refused")
    clock.now += 1.5
    a.failed("connection refused")
    assert a.reason() == ("the journal postgresql://fd@db/fd cannot be written since 1.5 s "
                          "(2 failed attempts): connection refused")
    a.succeeded()
    a.succeeded()
    assert seen == [False, True]  # one report at each edge, not per attempt
    assert a.failures_total == 2


def test_an_idle_journal_is_probed_after_the_check_interval() -> None:
    clock = Clock()
    a = Availability("j.sqlite3", clock)
    assert a.next_probe_in(5.0) == 5.0
    clock.now += 3.0
    a.succeeded()  # a write: the idle time starts again
    clock.now += 4.0
    assert a.next_probe_in(5.0) == pytest.approx(1.0)
    clock.now += 2.0
    assert a.next_probe_in(5.0) == 0.0
