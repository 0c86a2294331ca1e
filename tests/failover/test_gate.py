"""The write gate: fencing by lease, waiting for the backup, degrading through the witness."""

from __future__ import annotations

import threading

import pytest

from frontdesk.adapters.replication.gate import GatedJournal, ReplicationGate
from frontdesk.engine.errors import JournalError, StaleEpoch
from frontdesk.engine.journal import MemoryJournal, NewEvent


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ev(i: int) -> NewEvent:
    return NewEvent("dialog:d-1", "note", 1, {"i": i}, 0.0)


def test_a_closed_gate_refuses_writes() -> None:
    gate = ReplicationGate("async")
    journal = GatedJournal(MemoryJournal(), gate)
    with pytest.raises(StaleEpoch, match="this node is not primary"):
        journal.append([ev(1)], 1)
    assert journal.inner.last() == (0, 0)


def test_the_lease_ends_writes_by_monotonic_time() -> None:
    clock = FakeTime()
    gate = ReplicationGate("async", monotonic=clock)
    gate.open(epoch=2, lease_until=101.0, acked=0)
    journal = GatedJournal(MemoryJournal(), gate)
    assert [r.seq for r in journal.append([ev(1), ev(2)], 2)] == [1, 2]
    clock.now = 101.5
    with pytest.raises(StaleEpoch, match=r"the lease ran out 0\.500 s ago"):
        journal.append([ev(3)], 2)
    gate.extend(110.0)
    assert journal.append([ev(3)], 2)[0].seq == 3
    gate.fence()
    assert gate.lease_left() == 0.0 and not gate.lease_valid()


def test_sync_append_returns_once_the_backup_acked() -> None:
    gate = ReplicationGate("sync", sync_timeout_s=30)
    gate.open(epoch=2, lease_until=float("inf"), acked=0)
    appended: list[int] = []
    gate.on_appended = appended.append
    journal = GatedJournal(MemoryJournal(), gate)
    done = threading.Event()

    def store() -> None:
        journal.append([ev(1)], 2)
        done.set()

    thread = threading.Thread(target=store)
    thread.start()
    assert not done.wait(0.1)  # waiting for the backup
    assert appended == [1] and gate.lag == 1
    gate.on_ack(1)
    assert done.wait(5)
    thread.join()
    assert gate.lag == 0


def test_a_stalled_wait_asks_to_degrade_and_is_released_once_the_witness_knows() -> None:
    gate = ReplicationGate("sync", sync_timeout_s=0.05)
    gate.open(epoch=2, lease_until=float("inf"), acked=0)
    stalled = threading.Event()
    gate.on_stall = stalled.set
    gate.standby_name = "b"
    journal = GatedJournal(MemoryJournal(), gate)
    done = threading.Event()

    def store() -> None:
        journal.append([ev(1)], 2)
        done.set()

    thread = threading.Thread(target=store)
    thread.start()
    assert stalled.wait(5)
    assert not done.is_set()  # still waiting: the witness has not confirmed
    gate.degraded()
    assert done.wait(5)
    thread.join()
    assert gate.standby_in_sync() is None  # degraded: no standby may take over
    # the backup comes back and catches up: it is reported only once it has everything
    journal.append([ev(2)], 2)  # degraded: returns at once
    gate.resynced()
    assert gate.standby_in_sync() is None  # acked 0 < the resync mark 2
    gate.on_ack(2)
    assert gate.standby_in_sync() == "b"


def test_fencing_while_waiting_refuses_the_write() -> None:
    gate = ReplicationGate("sync", sync_timeout_s=30)
    gate.open(epoch=2, lease_until=float("inf"), acked=0)
    journal = GatedJournal(MemoryJournal(), gate)
    errors: list[BaseException] = []

    def store() -> None:
        try:
            journal.append([ev(1)], 2)
        except StaleEpoch as e:
            errors.append(e)

    thread = threading.Thread(target=store)
    thread.start()
    gate.fence()
    thread.join(5)
    assert len(errors) == 1 and "fenced before the backup acknowledged" in str(errors[0])


def test_async_mode_reports_any_standby() -> None:
    assert ReplicationGate("async").standby_in_sync() == "*"
    with pytest.raises(ValueError, match="expected 'sync' or 'async'"):
        ReplicationGate("eventually")  # type: ignore[arg-type]


def test_the_engine_cannot_append_replicated_records() -> None:
    journal = GatedJournal(MemoryJournal(), ReplicationGate())
    with pytest.raises(JournalError):
        journal.append_records([])


def test_memory_replica_journal_truncates() -> None:
    journal = MemoryJournal()
    journal.append([ev(i) for i in range(5)], 1)
    cut = journal.truncate_after(3)
    assert [r.seq for r in cut] == [4, 5] and journal.last() == (1, 3)


def test_an_append_meeting_a_lapsed_lease_waits_for_its_renewal() -> None:
    clock = FakeTime()
    gate = ReplicationGate("async", monotonic=clock, lapse_grace_s=30)
    gate.open(epoch=2, lease_until=101.0, acked=0)
    refused: list[bool] = []
    gate.on_refused = lambda: refused.append(True)
    journal = GatedJournal(MemoryJournal(), gate)
    clock.now = 101.5  # lapsed; the renewal is on its way
    got: list[object] = []

    def store() -> None:
        try:
            got.append(journal.append([ev(1)], 2))
        except StaleEpoch as e:
            got.append(e)

    for then, expected in ((lambda: gate.extend(clock.now + 10), list), (gate.fence, StaleEpoch)):
        got.clear()
        clock.now += 10  # lapsed again
        thread = threading.Thread(target=store)
        thread.start()
        thread.join(timeout=0.2)
        assert thread.is_alive() and got == []  # waiting, not refused
        then()
        thread.join(timeout=5)
        assert isinstance(got[0], expected)
    assert refused == [True]  # the refusal is reported: the engine that got it is fenced
