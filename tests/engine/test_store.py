"""The store: group commit, nothing told before durable, journal failures, fencing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from frontdesk.engine import commands, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.errors import JournalError
from frontdesk.engine.journal import MemoryJournal, NewEvent, Record
from frontdesk.engine.status import Status
from frontdesk.engine.store import REBUILD_RETRY_S
from frontdesk.engine.testing import EngineHarness


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

        def check(notice: notices.Notice) -> None:
            if isinstance(notice, notices.MessagePosted):
                stored = [
                    r
                    for r in journal.read(0, f"dialog:{notice.dialog}")
                    if r.data.get("seq") == notice.seq
                ]
                durable_when_told.append(bool(stored))

        h.engine.watch_dialog(vera._need(), check, token_hash=vera.token_hash)
        for i in range(20):
            h.engine.submit(commands.VisitorSay(vera._need(), vera.token_hash, f"m{i}"))
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
            h.engine.submit(commands.VisitorSay(v._need(), v.token_hash, "hi"))
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
        assert isinstance(answer, notices.Rejected) and answer.code == "unavailable"
        assert "disk full" in answer.message
        # the actor was rebuilt from the journal: the failed message never happened
        ok = vera.say("kept", ref="b")
        assert isinstance(ok, notices.Ack) and ok.seq == 3
        assert isinstance(ann.say(vera, "reply"), notices.Ack)
        texts = [
            r.data["text"]
            for r in journal.read(0, f"dialog:{vera.dialog}")
            if r.type == "dialog.message"
        ]
        assert texts == ["kept", "reply"]


def test_stale_epoch_fences_the_node_in_order(caplog: pytest.LogCaptureFixture) -> None:
    """A deposed primary: the journal's epoch is raised under the running engine. Every
    pending and later command is refused ``not_primary`` naming the epoch; no actor
    crashes; one WARNING says so (and no ERROR: the plugin fails the test on one)."""
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        ann = h.login("ann")
        bob = h.login("bob", status=Status.ON_BREAK)
        vera = h.visitor("Vera")
        vera.open()
        d = vera._need()
        answers = h.probe("answers")
        # pending: three says and a transfer that bob accepts, all held at the dialog
        h.hold(f"dialog:{d}")
        for i in range(3):
            h.engine.submit(commands.VisitorSay(d, vera.token_hash, f"m{i}", ref=f"m{i}"), answers)
        h.engine.submit(commands.Transfer("ann", d, "bob", ref="t"), answers)
        h.settle()
        journal.raise_epoch(5)  # another node was promoted
        with caplog.at_level(logging.WARNING, logger="frontdesk"):
            h.release(f"dialog:{d}")
            got = [answers.expect((notices.Ack, notices.Rejected)) for _ in range(4)]
            assert {getattr(x, "ref", None) for x in got} == {"m0", "m1", "m2", "t"}
            for x in got:
                assert isinstance(x, notices.Rejected) and x.code == "not_primary", x
                assert "epoch 1" in x.message and "fenced" in x.message
            assert h.engine.fenced and h.snapshot()["node"]["fenced"] is True

            # later commands and watches: refused at once, the same way
            later = [
                vera.say("still there?"),
                ann.say(vera, "hello"),
                ann.set_status(Status.PHONE),
                bob.logout(),
                h.command(commands.OperatorLogin("cy", "Cy", ref="login")),
                h.command(commands.OpenDialog("fresh-token", "New", ref="open")),
            ]
            assert [x.code for x in later if isinstance(x, notices.Rejected)] == ["not_primary"] * 6
            watcher = h.probe("watcher")
            h.engine.watch_dialog(d, watcher, token_hash=vera.token_hash, ref="w")
            refused = watcher.expect(notices.Rejected)
            assert isinstance(refused, notices.Rejected) and refused.code == "not_primary"
            h.advance(3600)  # timers still fire (inactivity, transfer timeout): quietly
            answers.expect_no((notices.Ack, notices.Rejected))  # one answer each, ever
        fenced_logs = [r for r in caplog.records if "refused epoch" in r.getMessage()]
        assert [r.levelno for r in fenced_logs] == [logging.WARNING]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        # nobody crashed: every actor is where it was, and nothing was written
        assert all(h.engine.directory.state(a) == "live" for a in h.addresses())
        assert {"operator:ann", "operator:bob", f"dialog:{d}"} <= set(h.addresses())
        h.managers.expect_no(notices.ActorFailed)
        assert [r.type for r in journal.read(0, f"dialog:{d}")] == [
            "dialog.opened",
            "dialog.assigned",
        ]


def test_a_raising_subscriber_is_dropped_not_fatal(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()
    calls: list[notices.Notice] = []

    def bad(notice: notices.Notice) -> None:
        calls.append(notice)
        raise RuntimeError("client went away")

    harness.engine.watch_dialog(vera._need(), bad, token_hash=vera.token_hash)
    harness.settle()
    assert len(calls) == 1
    assert isinstance(vera.say("hello"), notices.Ack)
    assert len(calls) == 1  # dropped after it raised
    vera.probe.expect({"type": "dialog.message", "text": "hello"})


def test_stop_flushes_and_stops_every_actor(harness: EngineHarness) -> None:
    harness.login("ann")
    harness.visitor("V").open()
    refs = list(harness.engine.ctx.refs)
    harness.stop()
    assert all(not r.is_alive() for r in refs)


def test_an_actor_the_supervisor_launches_while_the_engine_stops_is_stopped_too(
    harness: EngineHarness,
) -> None:
    """CI found an OperatorActor alive after a node's stop: a login queued at the
    supervisor was handled after stop() had sent every actor it knew its stop, so the
    operator the supervisor then launched was never stopped (and, its dispatcher shut
    down, it blocked every later ``ActorRegistry.stop_all``)."""
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    entered, go_on = threading.Event(), threading.Event()

    def blocker(notice: notices.Notice) -> None:  # holds the engine's thread
        if isinstance(notice, notices.TypingChanged):
            entered.set()
            go_on.wait(10)

    assert vera.dialog is not None
    harness.engine.watch_dialog(vera.dialog, blocker, token_hash=vera.token_hash)
    harness.settle()
    harness.engine.submit(commands.Typing(vera.dialog, True, operator_id="ann"))
    assert entered.wait(5)
    harness.engine.submit(commands.OperatorLogin("bob", "Bob", None, ref="bob"))
    known = list(harness.engine.ctx.refs)
    last = known[-1].actor_inbox  # stop() tells its actors in order: this one the last
    told_the_last, put = threading.Event(), last.put

    def put_and_tell(envelope: Any) -> None:
        put(envelope)
        told_the_last.set()

    last.put = put_and_tell
    stopper = threading.Thread(target=harness.stop)
    stopper.start()
    try:
        assert told_the_last.wait(5), "stop() did not tell every actor it knew"
    finally:
        go_on.set()
    stopper.join(15)
    assert not stopper.is_alive()
    assert len(harness.engine.ctx.refs) == len(known) + 1  # bob's actor
    assert [r for r in harness.engine.ctx.refs if r.is_alive()] == []


# --- watching a closed dialog: its history, then nothing ---------------------------------


class CountingJournal(MemoryJournal):
    def __init__(self) -> None:
        super().__init__()
        self.stream_reads: list[str | None] = []

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        if stream is not None:
            self.stream_reads.append(stream)
        return super().read(after_seq, stream)


def test_a_visitor_resuming_a_closed_dialog_gets_what_it_missed_once(
    harness: EngineHarness,
) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.say("hello")
    d = vera._need()
    harness.engine.unwatch_dialog(d, vera.probe)  # the visitor's socket dropped
    seen = vera.last_seq
    ann.say(vera, "are you still there?")
    ann.close(vera)
    back = harness.probe("back")
    harness.engine.watch_dialog(d, back, after_seq=seen, token_hash=vera.token_hash, ref="r")
    harness.settle()
    assert [(type(x), x.seq) for x in back.received if isinstance(x, notices.DialogNotice)] == [
        (notices.MessagePosted, seen + 1),
        (notices.DialogClosed, seen + 2),
    ]
    ack = back.received[0]  # a watch asked with a ref is answered first (a visitor's resume)
    assert isinstance(ack, notices.Ack) and (ack.ref, ack.dialog, ack.seq) == ("r", d, seen + 2)
    assert len(back.received) == 3
    assert harness.engine.directory.watchers(f"dialog:{d}") == ()  # nothing live follows
    # a visitor that already has everything gets nothing (it has dialog.closed)
    done = harness.probe("done")
    harness.engine.watch_dialog(d, done, after_seq=seen + 2, token_hash=vera.token_hash)
    harness.settle()
    assert done.received == []


def test_who_may_replay_a_closed_dialog(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    bob = harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    ann.transfer(vera, bob)
    bob.close(vera)
    d = vera._need()

    def replayed(**who: str) -> list[notices.Notice]:
        p = harness.probe(str(who))
        harness.engine.watch_dialog(d, p, after_seq=2, ref="w", **who)
        harness.settle()
        if p.received and isinstance(p.received[0], notices.Ack):  # accepted: answered first
            assert p.received[0].ref == "w"
            return p.received[1:]
        return p.received

    closed = [notices.DialogTransferred, notices.DialogClosed]
    # the visitor's form of the transfer: who it talks with, no note (engine/audience.py)
    seen = [type(x) for x in replayed(token_hash=vera.token_hash)]
    assert seen == [notices.VisitorTransferred, notices.DialogClosed]
    assert [type(x) for x in replayed(operator_id="bob")] == closed  # held it last
    assert [type(x) for x in replayed(manager_id="maria")] == closed
    for who in ({"operator_id": "ann"}, {"token_hash": "not-the-token"}):
        (refused,) = replayed(**who)
        assert isinstance(refused, notices.Rejected) and (refused.code,
                                                          refused.ref) == ("forbidden", "w")
    for unknown in ("d-99", "x-1", "d-²"):
        p = harness.probe(unknown)
        harness.engine.watch_dialog(unknown, p, token_hash=vera.token_hash, ref="u")
        refused = p.expect(notices.Rejected)
        assert isinstance(refused, notices.Rejected) and refused.code == "unknown_dialog"


def test_a_closed_dialogs_history_is_read_from_the_journal() -> None:
    """No history is kept in memory once a dialog is closed (its actor is gone, the
    projection keeps summaries): a watch of it reads its stream, and only its stream."""
    journal = CountingJournal()
    with EngineHarness(journal=journal) as h:
        ann = h.login("ann")
        first, second = h.visitor("First"), h.visitor("Second")
        first.open()
        first.say("one")
        ann.close(first)
        second.open()
        ann.close(second)
        for v in (second, first):
            p = h.probe(v.name)
            h.engine.watch_dialog(v._need(), p, token_hash=v.token_hash)
            h.settle()
            assert isinstance(p.received[-1], notices.DialogClosed)
            assert [x.seq for x in p.received if isinstance(x, notices.DialogNotice)] == list(
                range(1, len(p.received) + 1)
            )
        assert journal.stream_reads == [f"dialog:{second.dialog}", f"dialog:{first.dialog}"]
        h.restart()  # the same after a restart
        journal.stream_reads.clear()
        p = h.probe("after restart")
        h.engine.watch_dialog(second._need(), p, token_hash=second.token_hash)
        h.settle()
        assert isinstance(p.received[-1], notices.DialogClosed)
        assert journal.stream_reads == [f"dialog:{second.dialog}"]


def test_a_watch_racing_the_close_is_replayed_once(harness: EngineHarness) -> None:
    """The watch reaches the dialog after its close is decided, or after it retired:
    either way the watcher gets the history up to dialog.closed, once."""
    ann = harness.login("ann")
    for watch_first in (True, False):
        vera = harness.visitor("Vera")
        vera.open()
        d = vera._need()
        p = harness.probe("racing")
        harness.hold("store")
        harness.engine.submit(commands.OperatorClose("ann", d, ref="close"))
        harness.settle()  # decided (the actor is closed in memory), not yet durable
        harness.hold(f"dialog:{d}")
        if watch_first:  # ahead of the Retire: the closed actor replays it
            harness.engine.watch_dialog(d, p, after_seq=1, token_hash=vera.token_hash)
        harness.release("store")  # durable; the Retire waits at the dialog
        if not watch_first:  # behind the Retire: bounced to the store, which replays it
            harness.engine.watch_dialog(d, p, after_seq=1, token_hash=vera.token_hash)
        harness.release(f"dialog:{d}")
        assert [type(x) for x in p.received] == [notices.DialogAssigned, notices.DialogClosed]
        vera.probe.expect_terminated(f"dialog:{d}")
    assert ann.dialogs == []


@pytest.mark.allow_error_logs
def test_an_outage_longer_than_the_restart_intensity_gives_no_dialog_up() -> None:
    """Each say refused by a failing journal restarts the dialog actor from the journal;
    those restarts are the journal's doing, not counted: after more failures than
    ``max_restarts`` the dialog is still open and the next say is acknowledged."""
    journal = FlakyJournal()
    with EngineHarness(journal=journal) as h:
        vera = h.visitor("Vera")
        vera.open()
        failures = h.settings.max_restarts + 3
        for i in range(failures):
            journal.fail_next = 1
            refused = vera.say(f"lost {i}", ref=f"r{i}")
            assert isinstance(refused, notices.Rejected) and refused.code == "unavailable"
        ok = vera.say("after the outage", ref="r-after")
        assert isinstance(ok, notices.Ack)
        (dialog,) = h.snapshot()["dialogs"]
        assert dialog["state"] != "closed"


class UnreadableJournal(FlakyJournal):
    """Also its reads can fail (a database that is down for every connection)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_reads = False

    def read(self, after_seq: int = 0, stream: str | None = None) -> Iterator[Record]:
        if self.fail_reads:
            raise JournalError("connection refused")
        return super().read(after_seq, stream)


@pytest.mark.allow_error_logs
def test_a_rebuild_that_cannot_read_the_journal_is_tried_again() -> None:
    """The dialog's commit fails and so does the read that would rebuild it: the store
    tries again ``REBUILD_RETRY_S`` later; the say sent meanwhile waits for the rebuilt
    actor and is acknowledged then (nothing is lost, nothing answered twice)."""
    journal = UnreadableJournal()
    tried = _LogSeen("cannot rebuild dialog:d-1 now")
    logging.getLogger("frontdesk.engine.store").addHandler(tried)
    try:
        with EngineHarness(journal=journal) as h:
            vera = h.visitor("Vera")
            vera.open()
            journal.fail_next, journal.fail_reads = 1, True
            refused = vera.say("lost", ref="a")
            assert isinstance(refused, notices.Rejected) and refused.code == "unavailable"
            answers = h.probe("answers")
            say = commands.VisitorSay(vera._need(), vera.token_hash, "waits", ref="b")
            h.engine.submit(say, answers)
            assert tried.event.wait(5)  # the store tried to read the dialog back, and failed
            answers.expect_no((notices.Ack, notices.Rejected))  # so the say waits for the actor
            journal.fail_reads = False
            h.clock.advance(REBUILD_RETRY_S)
            ack = answers.expect(notices.Ack)
            assert isinstance(ack, notices.Ack) and ack.ref == "b"
            texts = [r.data["text"] for r in journal.read(0, f"dialog:{vera.dialog}")
                     if r.type == "dialog.message"]
            assert texts == ["waits"]
    finally:
        logging.getLogger("frontdesk.engine.store").removeHandler(tried)


class _LogSeen(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


def test_each_event_is_made_into_its_record_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's check of a commit and its append share one journal form of each event
    (it was made twice per message: docs/performance.md, relay cost)."""
    made: list[str] = []
    real = engine_events.to_new_event

    def counted(event: engine_events.Event) -> NewEvent:
        made.append(event.TYPE)
        return real(event)

    journal = FlakyJournal()
    with EngineHarness(journal=journal) as h:
        vera = h.visitor("Vera")
        vera.open()
        h.settle()
        monkeypatch.setattr(engine_events, "to_new_event", counted)
        for i in range(5):
            h.engine.submit(commands.VisitorSay(vera._need(), vera.token_hash, f"m{i}"))
        h.settle()
    stored = [r for r in journal.read(0) if r.type == "dialog.message"]
    assert len(stored) == 5
    assert made == ["dialog.message"] * 5
