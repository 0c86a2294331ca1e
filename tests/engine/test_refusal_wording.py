"""Refusals are read by people (a console shows them, a client raises them): they name
what was asked in words, never an engine class (issue 20, item 6)."""

from __future__ import annotations

import re

from frontdesk.engine import commands as c
from frontdesk.engine import notices as n
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness

COMMAND_NAMES = {cls.__name__ for cls in c.Command.__subclasses__()}
CAMEL = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")


def _every_command(dialog: str, token_hash: str) -> list[c.Command]:
    """One of each command that names a dialog, aimed at ``dialog``."""
    return [
        c.OperatorSay("ann", dialog, "hi", ref="os"),
        c.Transfer("ann", dialog, "bob", ref="tr"),
        c.OperatorClose("ann", dialog, ref="oc"),
        c.MarkImportant("ann", dialog, ref="mi"),
        c.AskForHelp("ann", dialog, "help", ref="ah"),
        c.VisitorSay(dialog, token_hash, "hi", ref="vs"),
        c.VisitorClose(dialog, token_hash, ref="vc"),
        c.Monitor("boss", dialog, ref="mo"),
        c.ManagerClose("boss", dialog, ref="mc"),
    ]


def _refusals(h: EngineHarness, commands: list[c.Command]) -> list[n.Rejected]:
    got = [h.command(cmd) for cmd in commands]
    refused = [x for x in got if isinstance(x, n.Rejected)]
    assert len(refused) == len(commands), got
    return refused


def _no_class_names(refused: list[n.Rejected]) -> None:
    for x in refused:
        assert not (COMMAND_NAMES & set(re.findall(r"\w+", x.message))), x.message
        assert not CAMEL.search(x.message), x.message


def test_every_command_is_named_for_people() -> None:
    for cls in c.Command.__subclasses__():
        assert cls.ACTION != c.Command.ACTION and not CAMEL.search(cls.ACTION), cls


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
        c.VisitorSay(d, "someone-else", "hi", ref="vs"),
        c.VisitorClose(d, "someone-else", ref="vc"),
        c.VisitorSay(d, vera.token_hash, "  ", ref="empty"),
    ]
    operator_side = [
        c.OperatorSay("bob", d, "hi", ref="os"),
        c.OperatorClose("bob", d, ref="oc"),
        c.MarkImportant("bob", d, ref="mi"),
        c.AskForHelp("bob", d, ref="ah"),
        c.Transfer("bob", d, "ann", ref="tr"),
    ]
    refused = _refusals(harness, visitor_side + operator_side)
    _no_class_names(refused)
    assert refused[0].message == f"cannot send a message in dialog {d}: not your dialog"
    assert refused[3].message == (
        f"cannot send a message in dialog {d} as bob: another operator holds it"
    )


def test_invalid_input_is_refused_in_words(harness: EngineHarness) -> None:
    harness.login("ann")
    bad = harness.command(c.SetStatus("ann", "bogus", ref="b"))  # type: ignore[arg-type]
    assert isinstance(bad, n.Rejected)
    assert bad.message == "cannot set the status: status: expected Status, got str 'bogus'"
    gone = harness.command(c.SetCapacity("nobody", 2, ref="x"))
    assert isinstance(gone, n.Rejected)
    _no_class_names([bad, gone])
