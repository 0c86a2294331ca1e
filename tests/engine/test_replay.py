"""Replay: folding the journal gives what the live engine had, and the projection agrees."""

from __future__ import annotations

from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.replay import Fold, fold
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness


def append(journal: MemoryJournal, *events: engine_events.Event) -> None:
    journal.append([engine_events.to_new_event(e) for e in events], 1)


def test_fold_derives_holders_through_transfers_and_requeues() -> None:
    j = MemoryJournal()
    append(
        j,
        engine_events.OperatorLoggedIn(operator="ann", at=1.0, name="Ann"),
        engine_events.OperatorLoggedIn(operator="bob", at=1.0, name="Bob", capacity=5),
        engine_events.DialogOpened(dialog="d-1", at=2.0, seq=1, number=1, token_hash="t",
                                   visitor_name="V"),
        engine_events.DialogOpened(
            dialog="d-2", at=2.0, seq=1, number=2, token_hash="u", visitor_name="W", priority=1
        ),
        engine_events.DialogAssigned(dialog="d-1", at=3.0, seq=2, operator="ann",
                                     operator_name="Ann"),
        engine_events.DialogTransferred(
            dialog="d-1",
            at=4.0,
            seq=3,
            from_operator="ann",
            from_name="Ann",
            to_operator="bob",
            to_name="Bob",
        ),
        engine_events.DialogAssigned(dialog="d-2", at=5.0, seq=2, operator="ann",
                                     operator_name="Ann"),
        engine_events.OperatorLoggedOut(operator="ann", at=6.0),
        engine_events.DialogRequeued(dialog="d-2", at=6.0, seq=3, operator="ann", reason="gone"),
        engine_events.StatusSet(operator="bob", at=7.0, status="phone"),
    )
    f = fold(j.read(), default_capacity=3)
    assert set(f.operators) == {"bob"}
    bob = f.operators["bob"]
    assert list(bob.held) == ["d-1"] and bob.held["d-1"].transferred_from == "ann"
    assert bob.status is Status.PHONE and bob.status_since == 7.0 and bob.capacity == 5
    assert f.dialogs["d-2"].operator is None
    assert f.queue_state().order() == ["d-2"]
    assert f.next_number == 3 and f.last_seq == 10


def test_closed_dialogs_leave_the_fold_but_are_remembered() -> None:
    j = MemoryJournal()
    append(
        j,
        engine_events.DialogOpened(dialog="d-1", at=2.0, seq=1, number=1, token_hash="t",
                                   visitor_name="V"),
        engine_events.DialogClosed(dialog="d-1", at=3.0, seq=2, by="visitor", reason="bye"),
    )
    f = fold(j.read(), 3)
    assert f.dialogs == {} and "d-1" in f.closed and f.next_number == 2


def a_busy_day(h: EngineHarness) -> None:
    """Two operators (one on break), five visitors, messages, a transfer and a close."""
    ann = h.login("ann", capacity=2)
    bob = h.login("bob", status=Status.ON_BREAK)
    vs = [h.visitor(f"V{i}", priority=i % 2) for i in range(5)]
    for v in vs:
        v.open()
    vs[0].say("hi")
    ann.say(vs[0], "hello")
    ann.transfer(vs[1], bob, "over to you")
    vs[2].close()


def test_refold_of_a_live_journal_equals_the_projection() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        a_busy_day(h)
        live = h.snapshot()
        refolded = Fold(3)
        refolded.apply_records(journal.read())
        assert sorted(refolded.dialogs) == sorted(d["id"] for d in live["dialogs"])
        for d in live["dialogs"]:
            state = refolded.dialogs[d["id"]]
            assert (state.operator, state.seq, state.phase.value) == (
                d["operator"],
                d["seq"],
                d["state"],
            )
        assert refolded.queue_state().order() == live["queue"]
        assert {o: sorted(s.held) for o, s in refolded.operators.items()} == {
            o["id"]: sorted(o["dialogs"]) for o in live["operators"]
        }


def test_the_store_folds_the_events_it_appended_as_a_refold_of_the_records_would() -> None:
    """The store folds the events it just appended as they are (not decoded back from
    the records): every dialog and operator state must equal a refold of the journal."""
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        a_busy_day(h)
        h.settle()
        live = h.engine.projection._fold  # the state under test
        refolded = Fold(3)
        refolded.apply_records(journal.read())
        refolded.summarise()  # the projection keeps summaries, not histories
        assert live.dialogs == refolded.dialogs and live.dialogs
        assert all(len(d.history) == 0 for d in live.dialogs.values())
        assert live.operators == refolded.operators and live.operators
        assert live.closed == refolded.closed and live.closed
