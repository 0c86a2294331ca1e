"""General internal messages (issue 16): between the managers and an operator, tied to no
dialog (``operator.internal`` on the operator's stream): staff only, journaled so a restart
keeps them, replayed to the operator's console when it watches; refused clearly for an
operator who logged out, an empty text, or an operator writing as another."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness


def _to_ann(text: str = "please take a break at 3") -> commands.OperatorInternal:
    return commands.OperatorInternal("manager", "maria", "Maria", "ann", text, ref="g-1")


def _messages(probe_received: list[notices.Notice]) -> list[tuple[int, str, str]]:
    return [(x.n, x.author, x.text) for x in probe_received
            if isinstance(x, notices.OperatorInternal)]


def test_a_manager_and_an_operator_write_to_each_other(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    assert isinstance(harness.command(_to_ann()), notices.Ack)
    back = commands.OperatorInternal("operator", "ann", "Ann", "ann", "ok, at 3", ref="g-2")
    assert isinstance(harness.command(back), notices.Ack)
    harness.settle()
    assert _messages(ann.probe.received) == [
        (1, "manager", "please take a break at 3"), (2, "operator", "ok, at 3")]
    assert _messages(harness.managers.received)[-1] == (2, "operator", "ok, at 3")
    (note,) = [x for x in ann.probe.received if isinstance(x, notices.OperatorInternal)][:1]
    assert note.audience == notices.STAFF and note.for_audience("visitor") is None
    assert "break" not in repr([x.to_wire() for x in vera.probe.received])
    # the snapshot holds them too (a reloaded manager view)
    snap = harness.snapshot()["operator_internal"]
    assert [(f["operator"], f["n"], f["text"]) for f in snap] == [
        ("ann", 1, "please take a break at 3"), ("ann", 2, "ok, at 3")]


def test_a_restart_keeps_them_and_a_new_watch_gets_them(harness: EngineHarness) -> None:
    harness.login("ann")
    assert isinstance(harness.command(_to_ann()), notices.Ack)
    harness.restart()
    console = harness.probe("a reloaded console")
    harness.engine.watch_operator("ann", console)
    harness.settle()
    assert _messages(console.received) == [(1, "manager", "please take a break at 3")]
    assert isinstance(harness.command(_to_ann("second")), notices.Ack)
    harness.settle()
    assert _messages(console.received)[-1] == (2, "manager", "second")


def test_refusals_name_what_was_wrong(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    empty = harness.command(_to_ann("   "))
    assert isinstance(empty, notices.Rejected) and empty.code == "invalid"
    assert empty.message == "cannot send an internal message to ann: the text is empty"
    forged = harness.command(commands.OperatorInternal("operator", "bob", "Bob", "ann", "hi"))
    assert isinstance(forged, notices.Rejected) and forged.code == "forbidden"
    assert isinstance(ann.logout(), notices.Ack)
    harness.settle()
    gone = harness.command(_to_ann())
    assert isinstance(gone, notices.Rejected) and gone.code == "unknown_operator"
    assert gone.message == "cannot send an internal message to ann: ann is not logged in"
    never = harness.command(commands.OperatorInternal("manager", "maria", "Maria", "zed", "hi"))
    assert isinstance(never, notices.Rejected)
    assert never.message == "cannot send an internal message to zed: zed is not logged in"
