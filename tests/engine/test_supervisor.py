"""Supervision and replay: crashes restart from the journal, nothing is lost."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from frontdesk.engine import commands, notices
from frontdesk.engine.errors import JournalError
from frontdesk.engine.journal import MemoryJournal, NewEvent, Record
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness, Probe


def test_dialog_crash_restarts_with_nothing_lost(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.say("before the crash")
    d = vera._need()
    harness.inject_crash(f"dialog:{d}")
    crashed = vera.say("this one crashes it", ref="boom")
    assert isinstance(crashed, notices.Rejected) and crashed.code == "internal"
    # the same message sent again (the client re-sends what was not acked) goes through
    again = vera.say("this one crashes it", ref="boom")
    assert isinstance(again, notices.Ack)
    assert isinstance(ann.say(vera, "after the crash"), notices.Ack)
    texts = [x.text for x in vera.probe.of_type(notices.MessagePosted)]
    assert texts == ["before the crash", "this one crashes it", "after the crash"]
    seqs = [x.seq for x in vera.probe.of_type(notices.DialogNotice)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert harness.snapshot()["dialogs"][0]["operator"] == "ann"


def test_messages_waiting_for_a_crashed_actor_are_redelivered(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    harness.inject_crash(f"dialog:{d}")
    answers = harness.probe("answers")
    for i in range(5):
        harness.engine.submit(commands.VisitorSay(d, vera.token_hash, f"m{i}", ref=f"m{i}"),
                              answers)
    harness.settle()
    got = [answers.expect((notices.Ack, notices.Rejected)) for _ in range(5)]
    assert [type(x).__name__ for x in got].count("Rejected") == 1
    acked = {x.ref for x in got if isinstance(x, notices.Ack)}
    texts = {x.text for x in vera.probe.of_type(notices.MessagePosted)}
    assert texts == acked and len(acked) == 4
    assert isinstance(ann.say(vera, "fine"), notices.Ack)


def test_crash_in_on_start_is_supervised(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    harness.inject_crash(f"dialog:{d}")
    harness.inject_crash(f"dialog:{d}", in_start=True)  # the first restart fails too
    vera.say("x", ref="a")
    assert isinstance(vera.say("y", ref="b"), notices.Ack)
    assert isinstance(ann.say(vera, "z"), notices.Ack)


def test_operator_crash_keeps_dialogs_and_status(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=2)
    ann.set_status(Status.NO_NEW_DIALOG)
    vera = harness.visitor("Vera")
    vera.open()
    assert harness.snapshot()["queue"] == [vera.dialog]
    ann.set_status(Status.CONNECTED)
    harness.inject_crash("operator:ann")
    answer = ann.set_capacity(3)
    assert isinstance(answer, notices.Rejected) and answer.code == "internal"
    (op,) = harness.snapshot()["operators"]
    assert op["dialogs"] == [vera.dialog] and op["capacity"] == 2
    assert isinstance(ann.set_capacity(3), notices.Ack)
    others = [harness.visitor(f"V{i}") for i in range(3)]
    for v in others:
        v.open()
    assert len(ann.dialogs) == 3  # the restarted actor knew it held vera's dialog


def test_queue_crash_is_restarted(harness: EngineHarness) -> None:
    ann = harness.login("ann", status=Status.ON_BREAK)
    v1, v2 = harness.visitor("A"), harness.visitor("B")
    v1.open()
    harness.inject_crash("queue")
    v2.open()
    ann.set_status(Status.CONNECTED)
    assert set(ann.dialogs) == {v1.dialog, v2.dialog}


def test_crash_loop_is_given_up_and_reported() -> None:
    cfg = EngineSettings(max_restarts=3, max_restarts_within_s=60)
    with EngineHarness(cfg) as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        d = vera._need()
        h.inject_crash(f"dialog:{d}", times=1)
        h.inject_crash(f"dialog:{d}", in_start=True, times=10)
        answer = vera.say("boom")
        assert isinstance(answer, notices.Rejected)
        report = h.managers.expect(notices.ActorFailed)
        assert isinstance(report, notices.ActorFailed) and report.address == f"dialog:{d}"
        vera.probe.expect_terminated(f"dialog:{d}")
        # given up, it is closed with the reason, and its operator's slot is free again
        closed = vera.probe.expect(notices.DialogClosed)
        assert isinstance(closed, notices.DialogClosed) and closed.by == "engine"
        assert "the dialog failed" in closed.reason and "InjectedCrash" in closed.reason
        ann.probe.expect({"type": "operator.dialog_removed", "dialog": d})
        after = vera.say("anyone?")
        assert isinstance(after, notices.Rejected) and after.code == "closed"
        (op,) = h.snapshot()["operators"]
        assert (op["load"], op["dialogs"]) == (0, [])
        assert h.snapshot()["dialogs"] == []
        # the rest of the engine goes on
        other = h.visitor("Other")
        other.open()
        assert isinstance(ann.say(other, "hello"), notices.Ack)


def test_restarts_spread_over_time_are_not_a_loop() -> None:
    cfg = EngineSettings(max_restarts=2, max_restarts_within_s=10)
    with EngineHarness(cfg) as h:
        vera = h.visitor("Vera")
        vera.open()
        for i in range(5):
            h.inject_crash(f"dialog:{vera._need()}")
            vera.say(f"crash {i}")
            h.advance(11)
        assert isinstance(vera.say("alive"), notices.Ack)
        h.managers.expect_no(notices.ActorFailed)


def test_restart_replays_the_journal() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        ann = h.login("ann", capacity=1)
        bob = h.login("bob", capacity=4, status=Status.PHONE)
        v1, v2, v3 = h.visitor("A"), h.visitor("B", priority=2), h.visitor("C")
        for v in (v1, v2, v3):
            v.open()
        v1.say("hello")
        ann.say(v1, "hi A")
        ann.mark_important(v1)
        before = h.snapshot()
        h.restart()
        after = h.snapshot()
        assert after["operators"] == before["operators"]
        assert after["dialogs"] == before["dialogs"]
        assert after["queue"] == [v2.dialog, v3.dialog] == before["queue"]
        # the restarted engine goes on where it stopped
        assert isinstance(v1.say("after restart"), notices.Ack)
        v1.probe.expect({"type": "dialog.message", "text": "after restart", "seq": 6})
        bob.set_status(Status.CONNECTED)
        assert set(bob.dialogs) == {v2.dialog, v3.dialog}
        v4 = h.visitor("D")
        assert v4.open().dialog == "d-4"
        # seq 5 is the Important flag: for staff only, a visitor sees the gap
        assert [x.seq for x in v1.probe.of_type(notices.DialogNotice)] == [1, 2, 3, 4, 6]
        assert isinstance(ann.set_capacity(1), notices.Ack)


@pytest.mark.parametrize("with_transfer", [False, True])
def test_restart_keeps_holders_after_transfers(with_transfer: bool) -> None:
    with EngineHarness() as h:
        ann = h.login("ann")
        bob = h.login("bob", status=Status.ON_BREAK)
        v = h.visitor("V")
        v.open()
        if with_transfer:
            ann.transfer(v, bob, "note")
        h.restart()
        holder = "bob" if with_transfer else "ann"
        assert h.snapshot()["dialogs"][0]["operator"] == holder
        added = (bob if with_transfer else ann).probe.of_type(notices.DialogAdded)[-1]
        assert added.dialog == v.dialog
        if with_transfer:
            assert added.transferred_from == "ann"


# --- logging in again while the previous session retires -------------------------------


def acked(probe: Probe, count: int) -> list[str | None]:
    """The refs of the next ``count`` answers, which must all be Acks."""
    got = [probe.expect(notices.Ack) for _ in range(count)]
    return [x.ref for x in got if isinstance(x, notices.Ack)]


def logged_in(h: EngineHarness, operator: str) -> bool:
    """Logged in per the journal's projection, with a live actor that takes commands."""
    listed = any(op["id"] == operator for op in h.snapshot()["operators"])
    alive = h.engine.directory.state(f"operator:{operator}") == "live"
    return listed and alive


def test_a_login_right_after_a_logout_takes_effect(harness: EngineHarness) -> None:
    """The logout waits in the operator's mailbox when the login reaches the supervisor:
    the login is ordered behind it, so the operator ends up logged in."""
    ann = harness.login("ann")
    answers = harness.probe("answers")
    harness.hold("operator:ann")
    harness.engine.submit(commands.OperatorLogout("ann", ref="out"), answers)
    harness.engine.submit(commands.OperatorLogin("ann", "Ann", ref="in"), answers)
    harness.settle()
    answers.expect_no((notices.Ack, notices.Rejected))  # the login does not overtake the logout
    harness.release("operator:ann")
    assert acked(answers, 2) == ["out", "in"]
    assert logged_in(harness, "ann")
    assert isinstance(ann.set_status(Status.PHONE), notices.Ack)
    vera = harness.visitor("Vera")
    vera.open()
    ann.set_status(Status.CONNECTED)
    assert ann.dialogs == [vera.dialog]


def test_a_login_while_the_operator_is_leaving_waits_for_its_retirement(
    harness: EngineHarness,
) -> None:
    harness.login("ann")
    answers = harness.probe("answers")
    harness.hold("store")  # the logout is decided (the actor is leaving), not yet durable
    harness.engine.submit(commands.OperatorLogout("ann", ref="out"), answers)
    harness.settle()
    assert harness.engine.directory.state("operator:ann") == "leaving"
    harness.engine.submit(commands.OperatorLogin("ann", "Ann", ref="in"), answers)
    harness.settle()
    harness.release("store")
    assert acked(answers, 2) == ["out", "in"]
    assert logged_in(harness, "ann")


def test_a_login_while_the_retiring_operator_restarts_takes_effect(
    harness: EngineHarness,
) -> None:
    """The operator crashes on its Retire after the logout is durable: the supervisor
    rebuilds it (and finds it logged out) while the login is there."""
    harness.login("ann")
    answers = harness.probe("answers")
    harness.hold("store")
    harness.engine.submit(commands.OperatorLogout("ann", ref="out"), answers)
    harness.settle()
    harness.inject_crash("operator:ann")  # the Retire crashes it
    harness.hold("supervisor")
    harness.engine.submit(commands.OperatorLogin("ann", "Ann", ref="in"), answers)
    harness.release("store", settle=False)
    harness.wait_state("operator:ann", "restarting")  # crashed; its rebuild not asked yet
    harness.release("supervisor")
    assert acked(answers, 2) == ["out", "in"]
    assert logged_in(harness, "ann")
    assert isinstance(harness.command(commands.SetCapacity("ann", 2, ref="cap")), notices.Ack)


@pytest.mark.allow_error_logs  # the failed append is logged at ERROR
def test_a_login_waiting_for_a_logout_that_failed_is_acked() -> None:
    journal = FailingJournal()
    with EngineHarness(journal=journal) as h:
        h.login("ann")
        answers = h.probe("answers")
        h.hold("store")
        h.engine.submit(commands.OperatorLogout("ann", ref="out"), answers)
        h.settle()
        h.engine.submit(commands.OperatorLogin("ann", "Ann", ref="in"), answers)
        h.settle()  # waits: ann is leaving
        journal.fail_next = True
        h.release("store")
        refused = answers.expect(notices.Rejected)
        assert isinstance(refused, notices.Rejected)
        assert (refused.ref, refused.code) == ("out", "unavailable")
        assert acked(answers, 1) == ["in"]
        assert logged_in(h, "ann")


class FailingJournal(MemoryJournal):
    def __init__(self) -> None:
        super().__init__()
        self.fail_next = False

    def append(self, events: Sequence[NewEvent], epoch: int) -> list[Record]:
        if self.fail_next:
            self.fail_next = False
            raise JournalError("disk full")
        return super().append(events, epoch)


# --- open is idempotent by token --------------------------------------------------------


def test_a_resent_open_gets_the_same_dialog_and_opens_nothing() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        answers = h.probe("answers")
        h.hold("store")  # the first open is not durable yet when the second comes
        h.engine.submit(commands.OpenDialog("tok-a", "Vera", ref="o1"), answers)
        h.engine.submit(commands.OpenDialog("tok-a", "Vera", ref="o1"), answers)
        h.settle()
        answers.expect_no((notices.Ack, notices.Rejected))  # neither is answered before durable
        h.release("store")
        first, again = answers.expect(notices.Ack), answers.expect(notices.Ack)  # in this order
        assert isinstance(first, notices.Ack) and isinstance(again, notices.Ack)
        assert (again.dialog, again.seq, again.data) == (first.dialog, 1, {"dialog": first.dialog})
        other = h.command(commands.OpenDialog("tok-b", "Bob", ref="o2"))
        assert isinstance(other, notices.Ack) and other.dialog != first.dialog
        assert [d["id"] for d in h.snapshot()["dialogs"]] == [first.dialog, other.dialog]
        opened = [r for r in journal.read() if r.type == "dialog.opened"]
        assert len(opened) == 2

        h.restart()  # the open dialogs' tokens are known again after a restart
        after = h.command(commands.OpenDialog("tok-a", "Vera", ref="o1"))
        assert isinstance(after, notices.Ack) and after.dialog == first.dialog

        assert first.dialog is not None
        h.command(commands.VisitorClose(first.dialog, "tok-a", ref="bye"))
        fresh = h.command(commands.OpenDialog("tok-a", "Vera", ref="o3"))  # closed: a new one
        assert isinstance(fresh, notices.Ack) and fresh.dialog not in (first.dialog, other.dialog)
