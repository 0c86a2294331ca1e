"""The audit list (issue 16): every step-in read from the journal with who, what and when,
newest first, within a time range; nothing else of the journal is listed."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.audit import audit
from frontdesk.engine.testing import EngineHarness


def test_every_step_in_is_listed_newest_first(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    harness.login("bob")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    holder = "ann" if d in ann.dialogs else "bob"
    other = "bob" if holder == "ann" else "ann"
    steps: list[commands.Command] = [
        commands.InternalMessage("manager", "maria", "Maria", d, "check the refund"),
        commands.InternalMessage("operator", holder, holder.title(), d, "ok"),  # not a step-in
        commands.ManagerSay("maria", "Maria", d, "Hello Vera", ref="ms-1"),
        commands.AskForHelp(holder, d, "angry"),  # not a step-in
        commands.HelpAck("maria", "Maria", d),
        commands.HelpResolve("manager", "maria", "Maria", d, "done"),
        commands.OperatorInternal("manager", "maria", "Maria", "ann", "meeting at 4"),
        commands.TakeOver("maria", "Maria", d, other, "VIP"),
    ]
    for i, step in enumerate(steps):
        harness.clock.advance(1.0)
        assert isinstance(harness.command(step), notices.Ack), (i, step)
    harness.settle()
    got = harness.engine.audit()
    assert [(e["action"], e["by"], e["name"]) for e in got] == [
        ("take_over", "maria", "Maria"),
        ("operator_internal", "maria", "Maria"),
        ("help_resolve", "maria", "Maria"),
        ("help_ack", "maria", "Maria"),
        ("say", "maria", "Maria"),
        ("internal", "maria", "Maria"),
    ]
    assert got[0]["dialog"] == d and got[0]["to"] == other and got[0]["text"] == "VIP"
    assert got[1]["operator"] == "ann" and got[1]["dialog"] is None
    assert got[4]["text"] == "Hello Vera" and got[5]["text"] == "check the refund"
    assert got[0]["at"] > got[1]["at"] > got[5]["at"]
    # a range: since <= at < until
    middle = harness.engine.audit(since=got[4]["at"], until=got[1]["at"])
    assert [e["action"] for e in middle] == ["help_resolve", "help_ack", "say"]
    assert audit([], None, None) == []
