"""Refusals are read by people (a console shows them, a client raises them): they name
what was asked in words, never an engine class (issue 20, item 6)."""

from __future__ import annotations

import re

from frontdesk.engine import commands as engine_commands
from frontdesk.engine import notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness

COMMAND_NAMES = {cls.__name__ for cls in engine_commands.Command.__subclasses__()}
CAMEL = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")


def _every_command(dialog: str, token_hash: str) -> list[engine_commands.Command]:
    """One of each command that names a dialog, aimed at ``dialog``."""
    return [
        engine_commands.OperatorSay("ann", dialog, "hi", ref="os"),
        engine_commands.Transfer("ann", dialog, "bob", ref="tr"),
        engine_commands.OperatorClose("ann", dialog, ref="oc"),
        engine_commands.MarkImportant("ann", dialog, ref="mi"),
        engine_commands.AskForHelp("ann", dialog, "help", ref="ah"),
        engine_commands.VisitorSay(dialog, token_hash, "hi", ref="vs"),
        engine_commands.VisitorClose(dialog, token_hash, ref="vc"),
        engine_commands.Monitor("boss", dialog, ref="mo"),
        engine_commands.ManagerClose("boss", dialog, ref="mc"),
    ]


def _refusals(h: EngineHarness, commands: list[engine_commands.Command]) -> list[notices.Rejected]:
    got = [h.command(cmd) for cmd in commands]
    refused = [x for x in got if isinstance(x, notices.Rejected)]
    assert len(refused) == len(commands), got
    return refused


def _no_class_names(refused: list[notices.Rejected]) -> None:
    for x in refused:
        assert not (COMMAND_NAMES & set(re.findall(r"\w+", x.message))), x.message
        assert not CAMEL.search(x.message), x.message


def test_every_command_is_named_for_people() -> None:
    for cls in engine_commands.Command.__subclasses__():
        assert cls.ACTION != engine_commands.Command.ACTION and not CAMEL.search(cls.ACTION), cls


def test_refusals_on_a_closed_dialog_name_no_class(harness: EngineHarness) -> None:
    harness.login("ann")
    harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    d = vera.dialog
    assert d is not None
    vera.close()
    refused = _refusals(harness, _every_command(d, vera.token_hash))
    _no_class_names(refused)
    by_ref = {x.ref: x for x in refused}
    assert by_ref["vs"].message == f"cannot send a message in dialog {d}: it is closed"
    assert by_ref["mo"].message == f"cannot monitor dialog {d}: it is closed"
    assert by_ref["tr"].message == f"cannot transfer dialog {d}: it is closed"


def test_refusals_on_an_unknown_dialog_name_no_class(harness: EngineHarness) -> None:
    harness.login("ann")
    _no_class_names(_refusals(harness, _every_command("d-404", "not-a-hash")))


def test_refusals_of_an_open_dialog_not_yours_name_no_class(harness: EngineHarness) -> None:
    harness.login("ann")
    harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    d = vera.dialog
    assert d is not None
    visitor_side = [
        engine_commands.VisitorSay(d, "someone-else", "hi", ref="vs"),
        engine_commands.VisitorClose(d, "someone-else", ref="vc"),
        engine_commands.VisitorSay(d, vera.token_hash, "  ", ref="empty"),
    ]
    operator_side = [
        engine_commands.OperatorSay("bob", d, "hi", ref="os"),
        engine_commands.OperatorClose("bob", d, ref="oc"),
        engine_commands.MarkImportant("bob", d, ref="mi"),
        engine_commands.AskForHelp("bob", d, ref="ah"),
        engine_commands.Transfer("bob", d, "ann", ref="tr"),
    ]
    refused = _refusals(harness, visitor_side + operator_side)
    _no_class_names(refused)
    assert refused[0].message == f"cannot send a message in dialog {d}: not your dialog"
    assert refused[3].message == (
        f"cannot send a message in dialog {d} as bob: another operator holds it"
    )


def test_invalid_input_is_refused_in_words(harness: EngineHarness) -> None:
    harness.login("ann")
    bad = harness.command(engine_commands.SetStatus("ann", "bogus", ref="b"))  # type: ignore[arg-type]
    assert isinstance(bad, notices.Rejected)
    assert bad.message == "cannot set the status: status: expected Status, got str 'bogus'"
    gone = harness.command(engine_commands.SetCapacity("nobody", 2, ref="x"))
    assert isinstance(gone, notices.Rejected)
    _no_class_names([bad, gone])
