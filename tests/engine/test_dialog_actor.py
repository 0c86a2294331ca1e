"""Dialogs through the real actors: waiting time, inactivity close, typing, monitoring."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing import EngineHarness


def waiting(h: EngineHarness, dialog: str | None) -> float:
    return float(next(d["waiting_s"] for d in h.snapshot()["dialogs"] if d["id"] == dialog))


def test_waiting_time(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    assert waiting(harness, vera.dialog) == 0  # nothing asked yet
    vera.say("first question")
    harness.advance(20)
    vera.say("second question")  # the oldest unanswered message counts
    harness.advance(10)
    assert waiting(harness, vera.dialog) == 30
    ann.say(vera, "answer")
    assert waiting(harness, vera.dialog) == 0
    harness.advance(5)
    assert waiting(harness, vera.dialog) == 0
    vera.say("follow-up")
    harness.advance(7)
    assert waiting(harness, vera.dialog) == 7


def dialog_figures(h: EngineHarness, dialog: str | None) -> dict[str, object]:
    return next(d for d in h.snapshot()["dialogs"] if d["id"] == dialog)


def test_a_queued_dialog_waits_from_when_it_was_queued(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()  # nobody online: queued
    harness.advance(70)
    figures = dialog_figures(harness, vera.dialog)
    assert figures["state"] == "queued"
    assert figures["waiting_s"] == 70 and figures["queued_s"] == 70
    assert figures["unanswered_s"] is None  # queued, though it wrote nothing yet


def test_an_answered_dialog_waits_zero_however_long_it_lasts(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()
    harness.advance(15)
    vera.say("anyone?")
    ann = harness.login("ann")  # takes the queued dialog
    ann.probe.expect({"type": "operator.dialog_added", "dialog": vera.dialog})
    harness.advance(5)
    figures = dialog_figures(harness, vera.dialog)
    assert figures["state"] == "assigned" and figures["queued_s"] is None
    assert figures["waiting_s"] == 5 and figures["unanswered_s"] == 5  # the message, not the queue
    ann.say(vera, "here")
    harness.advance(70)
    figures = dialog_figures(harness, vera.dialog)
    assert figures["waiting_s"] == 0 and figures["unanswered_s"] is None


def test_inactivity_close() -> None:
    with EngineHarness(EngineSettings(visitor_inactivity_timeout_s=300)) as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        h.advance(200)
        vera.say("still here")  # restarts the count
        h.advance(200)
        ann.say(vera, "operator messages do not count")
        h.advance(99)
        vera.probe.expect_no(notices.DialogClosed)
        h.advance(1)
        closed = vera.probe.expect({"type": "dialog.closed", "by": "timeout"})
        assert isinstance(closed, notices.DialogClosed) and "300" in closed.reason
        ann.probe.expect({"type": "operator.dialog_removed", "dialog": vera.dialog})
        vera.probe.expect_terminated(f"dialog:{vera.dialog}")
        assert h.snapshot()["dialogs"] == []


def test_inactivity_close_can_be_disabled() -> None:
    with EngineHarness(EngineSettings(visitor_inactivity_timeout_s=0)) as h:
        vera = h.visitor("Vera")
        vera.open()
        h.advance(100_000)
        vera.probe.expect_no(notices.DialogClosed)
        assert h.clock.pending() == 0


def test_typing_is_ephemeral(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    ann_view = harness._operators["ann"].watch(vera)
    harness.engine.submit(commands.Typing(vera._need(), True, token_hash=vera.token_hash))
    harness.settle()
    typing = ann_view.expect(notices.TypingChanged)
    assert isinstance(typing, notices.TypingChanged) and typing.who == "visitor" and typing.seq == 2
    harness.engine.submit(commands.Typing(vera._need(), True, token_hash="someone else"))
    harness.settle()
    ann_view.expect_no(notices.TypingChanged)
    assert harness.snapshot()["node"]["last_seq"] == 3  # nothing journaled for typing


def test_manager_monitors_and_closes(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    boss = harness.probe("manager")
    harness.engine.watch_dialog(d, boss, manager_id="boss")
    assert isinstance(harness.command(commands.Monitor("boss", d, ref="m")), notices.Ack)
    assert harness.snapshot()["dialogs"][0]["monitored"] is True
    vera.say("hello")
    boss.expect({"type": "dialog.message", "text": "hello"})
    assert isinstance(harness.command(commands.ManagerClose("boss", d, ref="x")), notices.Ack)
    vera.probe.expect({"type": "dialog.closed", "by": "manager"})


def test_history_gone_when_client_is_ahead(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()
    p = harness.probe()
    harness.engine.watch_dialog(vera._need(), p, after_seq=9, token_hash=vera.token_hash)
    gone = p.expect(notices.HistoryGone)
    assert isinstance(gone, notices.HistoryGone) and gone.after_seq == 9 and gone.seq == 1


def test_empty_message_refused(harness: EngineHarness) -> None:
    vera = harness.visitor("Vera")
    vera.open()
    answer = vera.say("   ")
    assert isinstance(answer, notices.Rejected) and answer.code == "invalid"
