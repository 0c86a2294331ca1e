"""The engine in-process with the ``harness`` fixture (no conftest line needed)."""

from frontdesk.engine import notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def test_the_operator_with_fewer_dialogs_gets_the_next_one(harness: EngineHarness) -> None:
    ann, bob = harness.login("ann"), harness.login("bob")
    first, second = harness.visitor("First"), harness.visitor("Second")
    first.open()
    second.open()
    assert (ann.dialogs, bob.dialogs) == ([first.dialog], [second.dialog])


def test_a_visitor_waits_while_everyone_is_on_break(harness: EngineHarness) -> None:
    ann = harness.login("ann", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    vera.probe.expect_no(notices.DialogAssigned)
    ann.set_status(Status.CONNECTED)
    assigned = vera.probe.expect(notices.DialogAssigned)
    assert assigned.operator == "ann"


def test_a_closed_dialog_refuses_in_words(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.close()
    refused = vera.say("hello?")
    assert isinstance(refused, notices.Rejected) and refused.code == "closed"
    assert refused.message == f"cannot send a message in dialog {vera.dialog}: it is closed"


def test_strict_and_unordered_expectations(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.probe.expect_next(notices.DialogOpened)
    vera.probe.expect_next({"type": "dialog.assigned", "operator": "ann"})
    ann.say(vera, "one")
    vera.say("two")
    said = vera.probe.expect_all({"text": "two"}, {"text": "one"})
    assert [x.to_wire()["text"] for x in said] == ["one", "two"]
