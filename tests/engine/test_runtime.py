"""The engine end to end through the harness: login, open, assign, say, close."""

from __future__ import annotations

import threading

import pykka
import pytest

from frontdesk.engine import commands, messages, notices
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.dispatch import DispatchedActor
from frontdesk.engine.errors import ConfigError, EngineError
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness, Probe


def test_vertical_slice(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    opened = vera.open()
    assert opened.dialog == "d-1" and opened.seq == 1
    d = vera.dialog
    assert d is not None
    vera.probe.expect(notices.DialogOpened)
    vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
    ann.probe.expect({"type": "operator.dialog_added", "dialog": d})

    said = vera.say("Hello?")
    assert isinstance(said, notices.Ack) and said.seq == 3
    vera.probe.expect({"type": "dialog.message", "author": "visitor", "text": "Hello?"})
    answered = ann.say(d, "Hi Vera")
    assert isinstance(answered, notices.Ack) and answered.seq == 4
    vera.probe.expect({"type": "dialog.message", "author": "operator", "name": "Ann"})

    closed = ann.close(d)
    assert isinstance(closed, notices.Ack)
    vera.probe.expect({"type": "dialog.closed", "by": "operator"})
    ann.probe.expect({"type": "operator.dialog_removed", "dialog": d, "reason": "closed"})
    vera.probe.expect_terminated(f"dialog:{d}")
    seqs = [x.seq for x in vera.probe.of_type(notices.DialogNotice)]
    assert seqs == [1, 2, 3, 4, 5]
    snap = harness.snapshot()
    assert snap["dialogs"] == [] and snap["queue"] == []
    assert snap["operators"][0]["load"] == 0


def test_closed_dialog_refuses_everything(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.close()
    said = vera.say("still there?")
    assert isinstance(said, notices.Rejected) and said.code == "closed"
    assert "closed" in said.message
    answer = ann.say(vera, "hello")
    assert isinstance(answer, notices.Rejected) and answer.code == "closed"
    probe = harness.probe()  # watching it replays its history, and that is all
    harness.engine.watch_dialog(vera._need(), probe, token_hash=vera.token_hash)
    harness.settle()
    assert [type(x) for x in probe.received] == [notices.DialogOpened, notices.DialogAssigned,
                                                 notices.DialogClosed]


def test_a_command_that_races_the_closed_dialogs_retirement_is_refused_closed(
    harness: EngineHarness,
) -> None:
    # the actor retired before the command reached it (or before it was sent): the
    # directory bounces the command as for an absent address. It must still say "closed",
    # as the actor would have, not "unknown_dialog" (a race seen in the websocket tests)
    vera = harness.visitor("Vera")
    vera.open()
    vera.close()
    dialog = vera._need()
    assert not harness.engine.directory.exists(f"dialog:{dialog}")  # retired
    probe = harness.probe()
    command = commands.VisitorSay(dialog, vera.token_hash, "still there?", ref="late")
    harness.engine.directory.send(f"dialog:{dialog}", messages.Inbound(command, probe))
    refused = probe.expect({"type": "error", "ref": "late"})
    assert isinstance(refused, notices.Rejected) and refused.code == "closed", refused
    # a dialog that never was is still unknown
    harness.engine.directory.send("dialog:d-99",
                                  messages.Inbound(commands.VisitorSay("d-99", "x", "hi"), probe))
    assert probe.expect({"type": "error"}).code == "unknown_dialog"  # type: ignore[attr-defined]


def test_unknown_dialog_and_operator(harness: EngineHarness) -> None:
    answer = harness.command(commands.VisitorSay("d-99", "x", "hi", ref="a"))
    assert isinstance(answer, notices.Rejected) and answer.code == "unknown_dialog"
    answer = harness.command(commands.SetStatus("nobody", Status.ON_BREAK, ref="b"))
    assert isinstance(answer, notices.Rejected) and answer.code == "unknown_operator"


def test_visitor_token_is_checked(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    answer = harness.command(commands.VisitorSay(vera._need(), "not-her-token", "hi", ref="x"))
    assert isinstance(answer, notices.Rejected) and answer.code == "forbidden"
    spy = harness.probe()
    harness.engine.watch_dialog(vera._need(), spy, token_hash="not-her-token")
    spy.expect({"type": "error", "code": "forbidden"})
    spy.expect_no(notices.DialogNotice)


def test_operator_must_hold_the_dialog(harness: EngineHarness) -> None:
    harness.login("ann")
    bob = harness.login("bob")
    vera = harness.visitor("Vera")
    vera.open()
    assert harness.snapshot()["dialogs"][0]["operator"] == "ann"
    answer = bob.say(vera, "hijack")
    assert isinstance(answer, notices.Rejected) and answer.code == "forbidden"


def test_resend_with_same_ref_is_idempotent(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    first = vera.say("once", ref="m-1")
    again = vera.say("once", ref="m-1")
    assert isinstance(first, notices.Ack) and isinstance(again, notices.Ack)
    assert first.seq == again.seq
    assert [x.text for x in vera.probe.of_type(notices.MessagePosted)] == ["once"]
    a1 = ann.say(vera, "reply", ref="o-1")
    a2 = ann.say(vera, "reply", ref="o-1")
    assert isinstance(a1, notices.Ack) and isinstance(a2, notices.Ack) and a1.seq == a2.seq


def test_login_is_idempotent(harness: EngineHarness) -> None:
    harness.login("ann")
    again = harness.command(commands.OperatorLogin("ann", "Ann", ref="again"))
    assert isinstance(again, notices.Ack)
    assert len(harness.snapshot()["operators"]) == 1


def test_resume_replays_after_seq(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.say("one")
    ann.say(vera, "two")
    late = harness.probe("resumed")
    harness.engine.watch_dialog(vera._need(), late, after_seq=2, token_hash=vera.token_hash)
    harness.settle()
    assert [x.seq for x in late.of_type(notices.DialogNotice)] == [3, 4]
    vera.say("three")
    late.expect({"type": "dialog.message", "text": "three", "seq": 5})


def test_managers_see_everything(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    ann.say(vera, "hi")
    harness.managers.expect(notices.DialogOpened)
    harness.managers.expect(notices.DialogAssigned)
    harness.managers.expect({"type": "dialog.message", "text": "hi"})


def test_snapshot_shape(harness: EngineHarness) -> None:
    ann = harness.login("ann", capacity=1)
    v1, v2 = harness.visitor("A"), harness.visitor("B")
    v1.open()
    v2.open()
    ann.mark_important(v1)
    ann.ask_for_help(v1, "billing question")
    snap = harness.snapshot()
    assert snap["queue"] == [v2.dialog]
    (op,) = snap["operators"]
    assert op["load"] == 1 and op["capacity"] == 1 and op["dialogs"] == [v1.dialog]
    d1 = next(d for d in snap["dialogs"] if d["id"] == v1.dialog)
    assert d1["important"] is True and d1["state"] == "assigned"
    assert snap["help_requests"][0]["dialog"] == v1.dialog
    assert snap["node"]["epoch"] == 1 and snap["node"]["last_seq"] > 0


def test_runs_on_the_system_clock() -> None:
    """Real time: the inactivity timer fires on the SystemClock's thread."""

    engine = Engine(EngineSettings(visitor_inactivity_timeout_s=0.2), MemoryJournal()).start()
    try:
        answer = Probe("answer")
        engine.submit(commands.OpenDialog("tok", "Vera", ref="o"), answer)
        ack = answer.expect(notices.Ack)
        assert isinstance(ack, notices.Ack) and ack.dialog is not None
        watcher = Probe("vera")
        engine.watch_dialog(ack.dialog, watcher, token_hash="tok")
        closed = watcher.expect(notices.DialogClosed, timeout=5)
        assert isinstance(closed, notices.DialogClosed) and closed.by == "timeout"
        assert engine.settle(5)
    finally:
        engine.stop()


def test_epoch_given_at_start_is_raised_in_the_journal() -> None:

    journal = MemoryJournal()
    engine = Engine(EngineSettings(), journal, ManualClock(), epoch=3).start()
    try:
        engine.submit(commands.OpenDialog("tok", "V"))
        assert engine.settle(5)
        assert journal.last()[0] == 3
        assert engine.snapshot()["node"]["epoch"] == 3
    finally:
        engine.stop()


def test_engine_must_be_started() -> None:

    with pytest.raises(EngineError, match="not started"):
        Engine(EngineSettings(), MemoryJournal()).snapshot()


def _actor_classes() -> dict[str, type[pykka.Actor]]:
    return {ref.actor_class.__name__: ref.actor_class for ref in pykka.ActorRegistry.get_all()}


@pytest.mark.parametrize(
    ("dispatcher", "base"), [("shared", DispatchedActor), ("threads", pykka.ThreadingActor)]
)
def test_the_dispatcher_setting_says_how_every_actor_runs(
    dispatcher: str, base: type[pykka.Actor]
) -> None:
    settings = EngineSettings(dispatcher=dispatcher)  # type: ignore[arg-type]
    before = _dispatcher_threads()  # an engine another test of this process left running
    engine = Engine(settings, MemoryJournal(), ManualClock()).start()
    try:
        probe = Probe("ann")
        engine.submit(commands.OperatorLogin("ann", "Ann", ref="r1"), probe)
        engine.submit(commands.OpenDialog("vera-token-hash", "Vera", ref="r2"), Probe("vera"))
        assert engine.settle()
        kinds = _actor_classes()
        assert {"StoreActor", "Supervisor", "QueueActor", "OperatorActor", "DialogActor"} <= set(
            kinds
        ), kinds
        wrong = {name for name, kind in kinds.items() if not issubclass(kind, base)}
        assert not wrong, f"not run as {base.__name__} with dispatcher={dispatcher}: {wrong}"
        assert _dispatcher_threads() - before == (1 if dispatcher == "shared" else 0)
    finally:
        engine.stop()


def _dispatcher_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("frontdesk-engine-"))


def test_an_unknown_dispatcher_is_refused_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match=r'expected "shared" or "threads", got \'fibers\''):
        EngineSettings(dispatcher="fibers")  # type: ignore[arg-type]


def test_the_harness_dispatcher_overrides_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EngineHarness, "dispatcher", "threads")
    with EngineHarness(EngineSettings(dispatcher="shared")) as h:
        assert h.engine.settings.dispatcher == "threads"
        assert issubclass(_actor_classes()["QueueActor"], pykka.ThreadingActor)
