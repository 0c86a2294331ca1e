"""The store: group commit, nothing told before durable, journal failures, fencing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from engine import commands as c
from engine import notices as n
from engine.errors import JournalError
from engine.journal import MemoryJournal, NewEvent, Record
from engine.testing import EngineHarness


class FlakyJournal(MemoryJournal):
    """A MemoryJournal whose appends can be made to fail (the storage adapter's
    JournalError), and that records how many events each append carried."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = 0
        self.batches: list[int] = []
        self.seen_by_subscribers: list[int] = []

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        if self.fail_next:
            self.fail_next -= 1
            raise JournalError("disk full")
        self.batches.append(len(events))
        return super().append(events, epoch)

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        return super().read(after_seq, stream)


def test_notices_are_sent_only_after_the_event_is_durable() -> None:
    journal = FlakyJournal()
    with EngineHarness(journal=journal) as h:
        vera = h.visitor("Vera")
        vera.open()
        durable_when_told: list[bool] = []

        def check(notice: n.Notice) -> None:
            if isinstance(notice, n.MessagePosted):
                stored = [
                    r
                    for r in journal.read(0, f"dialog:{notice.dialog}")
                    if r.data.get("seq") == notice.seq
                ]
                durable_when_told.append(bool(stored))

        h.engine.watch_dialog(vera._need(), check, token_hash=vera.token_hash)
        for i in range(20):
            h.engine.submit(c.VisitorSay(vera._need(), vera.token_hash, f"m{i}"))
        h.settle()
        assert durable_when_told == [True] * 20


def test_group_commit_batches_what_is_waiting() -> None:
    journal = FlakyJournal()
    with EngineHarness(journal=journal) as h:
        visitors = [h.visitor(f"V{i}") for i in range(20)]
        for v in visitors:
            v.open()
        h.hold("store")
        for v in visitors:
            h.engine.submit(c.VisitorSay(v._need(), v.token_hash, "hi"))
        h.settle()
        journal.batches.clear()
        h.release("store")
        assert sum(journal.batches) == 20
        assert len(journal.batches) < 20  # several commits went in one append


@pytest.mark.allow_error_logs
def test_journal_failure_rejects_and_resyncs_the_actor() -> None:
    journal = FlakyJournal()
    with EngineHarness(journal=journal) as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        journal.fail_next = 1
        answer = vera.say("lost", ref="a")
        assert isinstance(answer, n.Rejected) and answer.code == "unavailable"
        assert "disk full" in answer.message
        # the actor was rebuilt from the journal: the failed message never happened
        ok = vera.say("kept", ref="b")
        assert isinstance(ok, n.Ack) and ok.seq == 3
        assert isinstance(ann.say(vera, "reply"), n.Ack)
        texts = [
            r.data["text"]
            for r in journal.read(0, f"dialog:{vera.dialog}")
            if r.type == "dialog.message"
        ]
        assert texts == ["kept", "reply"]


@pytest.mark.allow_error_logs
def test_stale_epoch_fences_the_node() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        vera = h.visitor("Vera")
        vera.open()
        journal.raise_epoch(5)  # another node was promoted
        answer = vera.say("too late")
        assert isinstance(answer, n.Rejected) and answer.code == "unavailable"
        assert h.snapshot()["node"]["fenced"] is True and h.engine.fenced
        again = vera.say("still fenced")
        assert isinstance(again, n.Rejected) and "fenced" in again.message


def test_a_raising_subscriber_is_dropped_not_fatal(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()
    calls: list[n.Notice] = []

    def bad(notice: n.Notice) -> None:
        calls.append(notice)
        raise RuntimeError("client went away")

    harness.engine.watch_dialog(vera._need(), bad, token_hash=vera.token_hash)
    harness.settle()
    assert len(calls) == 1
    assert isinstance(vera.say("hello"), n.Ack)
    assert len(calls) == 1  # dropped after it raised
    vera.probe.expect({"type": "dialog.message", "text": "hello"})


def test_stop_flushes_and_stops_every_actor(harness: EngineHarness) -> None:
    harness.login("ann")
    harness.visitor("V").open()
    refs = list(harness.engine.ctx.refs)
    harness.stop()
    assert all(not r.is_alive() for r in refs)
