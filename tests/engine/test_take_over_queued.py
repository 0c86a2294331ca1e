"""Taking over a queued dialog (issue 16): a manager gives a waiting dialog, out of turn, to
an operator with room (or to themselves, logged in as an operator), whatever that operator's
status; refused clearly when the operator has no room or is not logged in; journaled."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def _queued(harness: EngineHarness) -> tuple[str, str]:
    """Two dialogs waiting (nobody takes new dialogs); their ids in arrival order."""
    ids = []
    for name in ("Vera", "Walt"):
        v = harness.visitor(name)
        v.open()
        ids.append(v._need())
    return ids[0], ids[1]


def test_a_manager_takes_a_queued_dialog_for_an_operator_out_of_turn(
    harness: EngineHarness,
) -> None:
    bob = harness.login("bob", status=Status.ON_BREAK)  # takes no new dialogs by himself
    first, second = _queued(harness)
    assert harness.snapshot()["queue"] == [first, second]
    answer = harness.command(commands.TakeOver("maria", "Maria", second, "bob", ref="to-1"))
    assert isinstance(answer, notices.Ack) and answer.ref == "to-1" and answer.dialog == second
    harness.settle()
    assert second in bob.dialogs
    snap = harness.snapshot()
    assert snap["queue"] == [first]  # the first one still waits, in its place
    held = next(d for d in snap["dialogs"] if d["id"] == second)
    assert (held["state"], held["operator"]) == ("assigned", "bob")
    (entry,) = harness.engine.audit()
    assert (entry["action"], entry["by"], entry["to"], entry["dialog"]) == (
        "take_over", "maria", "bob", second)


def test_refused_without_room_or_when_not_logged_in(harness: EngineHarness) -> None:
    harness.login("bob", capacity=0)
    first, _ = _queued(harness)
    full = harness.command(commands.TakeOver("maria", "Maria", first, "bob", ref="to-1"))
    assert isinstance(full, notices.Rejected) and full.code == "at_capacity"
    assert full.message == f"cannot take over dialog {first}: bob has no room (0 of 0 dialogs)"
    nobody = harness.command(commands.TakeOver("maria", "Maria", first, "zed", ref="to-2"))
    assert isinstance(nobody, notices.Rejected) and nobody.code == "unknown_operator"
    assert nobody.message == f"cannot take over dialog {first}: zed is not logged in"
    harness.settle()
    assert harness.snapshot()["queue"][0] == first  # still waiting, in its place
