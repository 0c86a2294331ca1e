"""The reply timeout (issue 17, finding 3), on the manual clock: a visitor left
unanswered by their operator for ``reply_timeout_s`` is reassigned. The first operator
keeps nothing of the dialog and stops taking new ones (No new dialog), the dialog goes
back at the head of the queue for another operator, the requeue is journaled with its
reason and the managers are told. Off by default."""

from __future__ import annotations

from frontdesk.engine import notices
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def holders(h: EngineHarness) -> dict[str, str | None]:
    return {d["id"]: d["operator"] for d in h.snapshot()["dialogs"]}


def test_an_unanswered_visitor_is_reassigned_to_another_operator() -> None:
    with EngineHarness(EngineSettings(reply_timeout_s=120, visitor_inactivity_timeout_s=0)) as h:
        ann = h.login("ann")
        bob = h.login("bob", status=Status.ON_BREAK)
        vera = h.visitor("Vera")
        vera.open()
        assert holders(h) == {vera.dialog: "ann"}
        h.advance(100)  # nothing unanswered yet: the clock alone changes nothing
        vera.say("Hello?")
        h.advance(60)
        vera.say("Anyone there?")  # not the first unanswered message: the due time stays
        bob.set_status(Status.CONNECTED)
        h.managers.clear()
        h.advance(61)
        requeued = vera.probe.expect(notices.DialogRequeued)
        assert isinstance(requeued, notices.DialogRequeued)
        assert requeued.operator == "ann" and requeued.reason == "no reply from Ann for 120 s"
        seen = h.managers.expect(notices.DialogRequeued)  # the manager view is told
        assert isinstance(seen, notices.DialogRequeued) and seen.reason == requeued.reason
        ann.probe.expect({"type": "operator.dialog_removed", "reason": "reassigned"})
        ann.probe.expect({"type": "operator.status", "status": "no_new_dialog"})
        assert holders(h) == {vera.dialog: "bob"}
        me = {o["id"]: o for o in h.snapshot()["operators"]}
        assert me["ann"]["dialogs"] == [] and me["ann"]["status"] == "no_new_dialog"
        # Bob has a fresh reply timeout of his own, counted from when he got it
        h.advance(119)
        assert holders(h) == {vera.dialog: "bob"}
        assert isinstance(bob.say(vera, "Bob here, sorry for the wait."), notices.Ack)
        h.advance(600)  # answered: no timeout runs
        assert holders(h) == {vera.dialog: "bob"}


def test_an_answer_in_time_keeps_the_dialog_and_the_default_is_off() -> None:
    with EngineHarness(EngineSettings(reply_timeout_s=30, visitor_inactivity_timeout_s=0)) as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        vera.say("Hi")
        h.advance(29)
        assert isinstance(ann.say(vera, "Hello Vera"), notices.Ack)
        h.advance(60)
        assert holders(h) == {vera.dialog: "ann"}
    assert EngineSettings().reply_timeout_s == 0
    with EngineHarness(EngineSettings(visitor_inactivity_timeout_s=0)) as h:
        h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        vera.say("Hi")
        h.advance(3600)
        assert holders(h) == {vera.dialog: "ann"}


def test_alone_the_operator_who_missed_it_gets_it_back_once_they_pick_connected() -> None:
    with EngineHarness(EngineSettings(reply_timeout_s=10, visitor_inactivity_timeout_s=0)) as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        vera.say("Hi")
        h.advance(10)
        assert holders(h) == {vera.dialog: None}
        assert h.snapshot()["queue"] == [vera.dialog]
        ann.set_status(Status.CONNECTED)
        assert holders(h) == {vera.dialog: "ann"}
