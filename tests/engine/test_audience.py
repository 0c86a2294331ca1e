"""Audiences: what is for staff never reaches a visitor, live or on replay (issue 12, 6).

The engine decides it (``engine/audience.py``, ``Notice.for_audience``), not the page.
"""

from __future__ import annotations

from frontdesk.engine import commands
from frontdesk.engine import notices as engine_notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness
from frontdesk.engine.testing.harness import OperatorHandle, VisitorHandle

STAFF_ONLY = ("dialog.help_requested", "dialog.important")  # and help_acked, help_resolved


def _types(notices: list[engine_notices.Notice]) -> list[str]:
    return [x.TYPE for x in notices]


def _staff_entries(h: EngineHarness) -> tuple[str, VisitorHandle, OperatorHandle]:
    """A dialog with a help request, the Important flag and a transfer note, then closed."""
    ann = h.login("ann")
    bob = h.login("bob", status=Status.ON_BREAK)
    vera = h.visitor("Vera")
    vera.open()
    assert isinstance(ann.ask_for_help(vera, "angry customer"), engine_notices.Ack)
    assert isinstance(ann.mark_important(vera), engine_notices.Ack)
    assert isinstance(ann.transfer(vera, bob, note="secret note"), engine_notices.Ack)
    assert isinstance(bob.say(vera, "Bob here"), engine_notices.Ack)
    return vera._need(), vera, bob


def test_a_visitor_never_gets_staff_entries_live(harness: EngineHarness) -> None:
    d, vera, _ = _staff_entries(harness)
    monitor = harness.probe("monitor")
    harness.engine.watch_dialog(d, monitor, manager_id="maria")
    harness.settle()
    got = vera.probe.received
    assert not set(STAFF_ONLY) & set(_types(got))
    (moved,) = [x for x in got if x.TYPE == "dialog.transferred"]
    assert isinstance(moved, engine_notices.VisitorTransferred)
    assert moved.to_wire() == {
        "type": "dialog.transferred",
        "dialog": d,
        "seq": moved.seq,
        "at": moved.at,
        "from_name": "Ann",
        "to_name": "Bob",
    }
    assert "secret note" not in repr([x.to_wire() for x in got])
    # the seq is the dialog's one sequence: the visitor sees gaps, never a seq twice
    seqs = [x.seq for x in got if isinstance(x, engine_notices.DialogNotice)]
    assert seqs == sorted(set(seqs)) and seqs == [1, 2, 5, 6]
    # staff see everything: the managers, a monitoring manager
    for staff in (harness.managers.received, monitor.received):
        assert set(STAFF_ONLY) <= set(_types(staff))
        assert "secret note" in repr([x.to_wire() for x in staff])


def test_a_visitor_never_gets_staff_entries_on_replay(harness: EngineHarness) -> None:
    d, vera, bob = _staff_entries(harness)
    again = harness.probe("visitor again")
    harness.engine.watch_dialog(d, again, after_seq=0, token_hash=vera.token_hash)
    harness.settle()
    expected = ["dialog.opened", "dialog.assigned", "dialog.transferred", "dialog.message"]
    assert _types(again.received) == expected
    assert "secret note" not in repr([x.to_wire() for x in again.received])
    # resuming from the last seq it saw (6) gives nothing twice; from a gap's seq, what follows
    later = harness.probe("visitor from 3")
    harness.engine.watch_dialog(d, later, after_seq=3, token_hash=vera.token_hash)
    harness.settle()
    assert [x.seq for x in later.received if isinstance(x, engine_notices.DialogNotice)] == [5, 6]
    # the operator gets the whole history
    held = bob.watch(d)
    assert set(STAFF_ONLY) <= set(_types(held.received))
    # closed: the replay comes from the store, filtered the same way
    assert isinstance(vera.close(), engine_notices.Ack)
    closed = harness.probe("visitor after close")
    harness.engine.watch_dialog(d, closed, after_seq=0, token_hash=vera.token_hash)
    harness.settle()
    assert _types(closed.received)[-1] == "dialog.closed"
    assert not set(STAFF_ONLY) & set(_types(closed.received))
    assert "secret note" not in repr([x.to_wire() for x in closed.received])


def test_typing_goes_to_the_other_side_only(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    ann_d = ann.watch(d)
    harness.engine.submit(commands.Typing(d, True, token_hash=vera.token_hash))
    harness.engine.submit(commands.Typing(d, True, operator_id="ann"))
    harness.settle()
    assert [x.who for x in vera.probe.of_type(engine_notices.TypingChanged)] == ["operator"]
    assert [x.who for x in ann_d.of_type(engine_notices.TypingChanged)] == ["visitor"]
