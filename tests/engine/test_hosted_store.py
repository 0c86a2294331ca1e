"""A hosted engine (``Engine.host``, as a served node runs it): every actor and the store
on the host's loop, only the journal's append on the journal's own thread, one write at a
time; what arrives during a write waits, in order, and the next commits form one batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from frontdesk.engine import commands, messages, notices
from frontdesk.engine.journal import MemoryJournal, NewEvent, Record
from frontdesk.engine.testing import EngineHarness

WAIT_S = 5.0

# hosting is the shared dispatcher's (a run with every actor a ThreadingActor hosts nothing)
pytestmark = pytest.mark.skipif(
    EngineHarness.dispatcher == "threads", reason="--engine-dispatcher=threads hosts nothing"
)


class GatedJournal(MemoryJournal):
    """A MemoryJournal that names the thread of each append and, once ``close_gate`` is
    called, holds the next append until ``open_gate``."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.batches: list[int] = []
        self.entered = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def close_gate(self) -> None:
        self.entered.clear()
        self._gate.clear()

    def open_gate(self) -> None:
        self._gate.set()

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        self.threads.append(threading.current_thread().name)
        self.entered.set()
        assert self._gate.wait(WAIT_S), "the test never opened the gate"
        self.batches.append(len(events))
        return super().append(events, epoch)


class Answers:
    """A subscriber keeping each notice with the name of the thread that delivered it."""

    def __init__(self) -> None:
        self.notices: list[notices.Notice] = []
        self.threads: set[str] = set()
        self._count = threading.Condition()

    def __call__(self, notice: notices.Notice) -> None:
        with self._count:
            self.notices.append(notice)
            self.threads.add(threading.current_thread().name)
            self._count.notify_all()

    def wait_for(self, n: int) -> None:
        with self._count:
            assert self._count.wait_for(lambda: len(self.notices) >= n, WAIT_S), self.notices


def _say(h: EngineHarness, vera: object, text: str, answers: Answers) -> None:
    dialog, token = vera._need(), vera.token_hash  # type: ignore[attr-defined]
    h.engine.submit(commands.VisitorSay(dialog, token, text, ref=text), answers)


def _write_out(h: EngineHarness, journal: GatedJournal, text: str) -> tuple[object, Answers]:
    """A visitor whose say ``text`` is on the journal's thread, held there by the gate."""
    vera = h.visitor("Vera")
    vera.open()
    answers = Answers()
    journal.close_gate()
    _say(h, vera, text, answers)
    assert journal.entered.wait(WAIT_S)
    return vera, answers


def test_the_store_runs_on_the_loop_and_only_the_append_on_the_journals_thread() -> None:
    journal = GatedJournal()
    with EngineHarness(journal=journal, hosted=True) as h:
        vera = h.visitor("Vera")
        vera.open()
        answers = Answers()
        _say(h, vera, "hello", answers)
        answers.wait_for(1)
        h.settle()
        assert isinstance(answers.notices[0], notices.Ack)
        assert answers.threads == {"host-loop"}  # the effects: on the loop
        assert set(journal.threads) == {"frontdesk-journal"}


def test_commits_during_a_write_wait_in_order_and_form_the_next_batch() -> None:
    journal = GatedJournal()
    with EngineHarness(journal=journal, hosted=True) as h:
        vera = h.visitor("Vera")
        vera.open()
        answers = Answers()
        journal.batches.clear()
        journal.close_gate()
        _say(h, vera, "m0", answers)
        assert journal.entered.wait(WAIT_S)
        for i in range(1, 11):
            _say(h, vera, f"m{i}", answers)
        # the loop is not blocked by the write: it still runs what it is given
        ran = threading.Event()
        assert h.engine.ctx.dispatcher.run_on_host(ran.set)
        assert ran.wait(WAIT_S)
        assert answers.notices == []  # nothing told before it is durable
        journal.open_gate()
        answers.wait_for(11)
        h.settle()
        assert journal.batches == [1, 10]
        acks = [n for n in answers.notices if isinstance(n, notices.Ack)]
        assert [a.ref for a in acks] == [f"m{i}" for i in range(11)]
        assert [a.seq for a in acks] == sorted(a.seq for a in acks)


def test_what_comes_after_a_write_waits_behind_its_effects() -> None:
    """A barrier (as a rebuild's read or a closed dialog's watch) sent during a write is
    handled only once that write's effects are performed."""
    journal = GatedJournal()
    with EngineHarness(journal=journal, hosted=True) as h:
        _, answers = _write_out(h, journal, "first")
        seen_at_barrier: list[int] = []
        passed = threading.Event()

        def barrier() -> None:
            seen_at_barrier.append(len(answers.notices))
            passed.set()

        h.engine.directory.send("store", messages.Barrier(barrier))
        assert not passed.is_set()
        journal.open_gate()
        assert passed.wait(WAIT_S)
        assert seen_at_barrier == [1]


def test_unhosting_during_a_write_finishes_it_and_the_engine_goes_on() -> None:
    """The loop is about to end with a write on the journal's thread: ``unhost`` waits for
    it and performs its effects; the engine then runs on its own threads."""
    journal = GatedJournal()
    with EngineHarness(journal=journal, hosted=True) as h:
        vera, answers = _write_out(h, journal, "in flight")
        unhosted = threading.Thread(target=h.engine.unhost)
        unhosted.start()
        journal.open_gate()
        unhosted.join(WAIT_S)
        assert not unhosted.is_alive()
        answers.wait_for(1)
        assert isinstance(answers.notices[0], notices.Ack)
        _say(h, vera, "after", answers)
        answers.wait_for(2)
        h.settle()
        assert [n.ref for n in answers.notices] == ["in flight", "after"]  # type: ignore[attr-defined]
        assert journal.threads[-1].startswith("frontdesk-store")  # its own thread again
