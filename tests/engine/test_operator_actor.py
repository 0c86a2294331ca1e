"""Operators through the real actors: looking for information, time in status, transfers."""

from __future__ import annotations

import pytest

from frontdesk.engine import commands, notices
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def holders(h: EngineHarness) -> dict[str, str | None]:
    return {d["id"]: d["operator"] for d in h.snapshot()["dialogs"]}


def test_looking_for_info_notice_and_reminders(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    v1, v2 = harness.visitor("A"), harness.visitor("B")
    v1.open()
    v2.open()
    ann.set_status(Status.LOOKING_FOR_INFORMATION)
    for v in (v1, v2):
        v.probe.expect(
            {"type": "dialog.looking_for_info", "reminder": False, "operator_name": "Ann"}
        )
    harness.advance(59)
    v1.probe.expect_no(notices.LookingForInfo)
    harness.advance(1)  # the default delay: 60 s
    for v in (v1, v2):
        v.probe.expect({"type": "dialog.looking_for_info", "reminder": True})
    harness.advance(60)  # then every interval (60 s)
    v1.probe.expect({"type": "dialog.looking_for_info", "reminder": True})
    ann.set_status(Status.CONNECTED)
    harness.advance(600)
    v1.probe.expect_no(notices.LookingForInfo)
    assert len(v2.probe.of_type(notices.LookingForInfo)) == 3
    # they are history entries: seq gap-free
    seqs = [x.seq for x in v1.probe.of_type(notices.DialogNotice)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_reminder_timing_is_configurable() -> None:
    cfg = EngineSettings(
        looking_for_info_reminder_delay_s=5, looking_for_info_reminder_interval_s=2
    )
    with EngineHarness(cfg) as h:
        ann = h.login("ann")
        v = h.visitor("V")
        v.open()
        ann.set_status(Status.LOOKING_FOR_INFORMATION)
        h.advance(5)
        h.advance(2)
        h.advance(2)
        reminders = [x for x in v.probe.of_type(notices.LookingForInfo) if x.reminder]
        assert [x.at - reminders[0].at for x in reminders] == [0, 2, 4]


def test_time_in_status_is_recorded(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    t0 = harness.clock.now()
    harness.advance(30)
    ann.set_status(Status.PHONE)
    harness.advance(12)
    (op,) = harness.snapshot()["operators"]
    assert op["status"] == "phone"
    assert op["status_since"] == t0 + 30
    assert op["time_in_status_s"] == 12
    ann.probe.expect({"type": "operator.status", "status": "phone", "since": t0 + 30})


# --- transfers ---------------------------------------------------------------------------


def test_transfer_moves_the_dialog_with_note(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    bob = harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    assert isinstance(ann.say(vera, "from ann", ref="c-1"), notices.Ack)
    answer = ann.transfer(vera, bob, note="billing question")
    assert isinstance(answer, notices.Ack)
    added = bob.probe.expect({"type": "operator.dialog_added", "dialog": vera.dialog})
    assert isinstance(added, notices.DialogAdded)
    assert (added.transferred_from, added.transferred_from_name, added.note) == (
        "ann",
        "Ann",
        "billing question",
    )
    ann.probe.expect({"type": "operator.dialog_removed", "reason": "transferred"})
    moved = vera.probe.expect(notices.VisitorTransferred)  # the visitor's form: names, no note
    assert isinstance(moved, notices.VisitorTransferred)
    assert (moved.from_name, moved.to_name) == ("Ann", "Bob")
    assert holders(harness) == {vera.dialog: "bob"}
    # refs are the client's own: bob's "c-1" is not ann's "c-1"
    bobs = bob.say(vera, "from bob", ref="c-1")
    assert isinstance(bobs, notices.Ack) and bobs.seq == moved.seq + 1
    assert [x.text for x in vera.probe.of_type(notices.MessagePosted)] == ["from ann", "from bob"]
    refused = ann.say(vera, "me again")
    assert isinstance(refused, notices.Rejected) and refused.code == "forbidden"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("self", "invalid"),
        ("unknown", "unknown_operator"),
        ("logged_out", "unknown_operator"),
        ("not_held", "forbidden"),
        ("closed", "closed"),
        ("at_capacity", "at_capacity"),
    ],
)
def test_transfer_refusals(harness: EngineHarness, case: str, code: str) -> None:
    ann = harness.login("ann")
    bob = harness.login("bob", capacity=1, status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    to = "bob"
    dialog = vera._need()
    if case == "self":
        to = "ann"
    elif case == "unknown":
        to = "zed"
    elif case == "logged_out":
        bob.logout()
    elif case == "not_held":
        other = harness.visitor("Other")
        other.open()
        bob.set_status(Status.CONNECTED)
        ann.close(vera)
        harness.visitor("Third").open()  # goes to ann
        dialog = next(d for d, op in holders(harness).items() if op == "bob")
    elif case == "closed":
        ann.close(vera)
    elif case == "at_capacity":
        bob.set_status(Status.CONNECTED)
        harness.visitor("Fills bob").open()
        bob.set_status(Status.ON_BREAK)
    before = holders(harness)
    answer = ann.transfer(dialog, to)
    assert isinstance(answer, notices.Rejected), answer
    assert answer.code == code, answer
    assert dialog in answer.message
    assert holders(harness) == before
    assert all(o["load"] <= o["capacity"] for o in harness.snapshot()["operators"])


def test_transfer_over_capacity_when_allowed() -> None:
    with EngineHarness(EngineSettings(allow_transfer_over_capacity=True)) as h:
        ann = h.login("ann")
        bob = h.login("bob", capacity=0)
        v = h.visitor("V")
        v.open()
        assert isinstance(ann.transfer(v, bob), notices.Ack)
        assert holders(h) == {v.dialog: "bob"}


def test_receiver_crashes_mid_way_dialog_stays(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    harness.inject_crash("operator:bob")  # bob crashes on the TransferOffer
    answer = ann.transfer(vera, "bob")
    assert isinstance(answer, notices.Rejected) and answer.code == "internal"
    assert holders(harness) == {vera.dialog: "ann"}
    assert isinstance(ann.say(vera, "still mine"), notices.Ack)
    # bob was restarted and works again
    assert isinstance(ann.transfer(vera, "bob"), notices.Ack)
    assert holders(harness) == {vera.dialog: "bob"}


def test_receiver_logs_out_mid_way_dialog_stays(harness: EngineHarness) -> None:
    """Bob accepts (reserves a slot) but logs out before the dialog commits the transfer."""
    ann = harness.login("ann")
    bob = harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    answer_probe = harness.probe("answer")
    harness.hold(f"dialog:{d}")
    harness.engine.submit(commands.Transfer("ann", d, "bob", ref="t"), answer_probe)
    harness.settle()  # bob has accepted: his CompleteTransfer waits at the dialog
    assert isinstance(bob.logout(), notices.Ack)
    harness.release(f"dialog:{d}")
    answer = answer_probe.expect((notices.Ack, notices.Rejected))
    assert isinstance(answer, notices.Rejected), answer
    assert answer.code == "unknown_operator" and "logged out" in answer.message
    assert holders(harness) == {d: "ann"}
    assert isinstance(ann.say(vera, "still mine"), notices.Ack)
    assert not [x for x in vera.probe.of_type(notices.DialogTransferred)]


def test_sender_loses_the_dialog_mid_way(harness: EngineHarness) -> None:
    """The visitor closes while the transfer is on its way: refused as closed."""
    ann = harness.login("ann")
    bob = harness.login("bob", capacity=1, status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    answer_probe = harness.probe("answer")
    harness.hold(f"operator:{bob.id}")
    harness.engine.submit(commands.Transfer("ann", d, "bob", ref="t"), answer_probe)
    harness.settle()
    vera.close()
    harness.release(f"operator:{bob.id}")
    answer = answer_probe.expect((notices.Ack, notices.Rejected))
    assert isinstance(answer, notices.Rejected) and answer.code == "closed"
    snap = harness.snapshot()
    assert [o["load"] for o in snap["operators"]] == [0, 0]
    harness.visitor("Next").open()
    bob.set_status(Status.CONNECTED)
    assert bob.dialogs or ann.dialogs  # bob's reserved slot was released


def test_transfer_timeout_aborts(harness: EngineHarness) -> None:
    """The receiver never answers: the sender's timer aborts the transfer."""
    harness.login("ann")
    harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    answer_probe = harness.probe("answer")
    harness.hold("operator:bob")  # bob never answers
    harness.engine.submit(commands.Transfer("ann", vera._need(), "bob", ref="t"), answer_probe)
    harness.advance(harness.settings.transfer_timeout_s)
    answer = answer_probe.expect((notices.Ack, notices.Rejected))
    assert isinstance(answer, notices.Rejected) and answer.code == "timeout"
    assert holders(harness) == {vera.dialog: "ann"}
    harness.release("operator:bob")  # bob's late acceptance is refused by the dialog
    assert holders(harness) == {vera.dialog: "ann"}
    assert [o["load"] for o in harness.snapshot()["operators"]] == [1, 0]
