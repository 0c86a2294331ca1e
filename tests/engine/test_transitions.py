"""The state machines as tables (engine/transitions.py): every pair handled or ignored,
and one error, naming the input, the state and the actor, for any other."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.engine import commands as c
from frontdesk.engine import dialog_state as ds
from frontdesk.engine import events as ev
from frontdesk.engine import messages as m
from frontdesk.engine import notices as n
from frontdesk.engine import operator_state as os_
from frontdesk.engine import queue_state as qs
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.transitions import Table, TransitionError, input_of

CFG = EngineSettings()


def opened() -> ds.DialogState:
    return ds.opened(
        ev.DialogOpenedEv(at=0.0, dialog="d-1", seq=1, number=1, token_hash="h", visitor_name="V")
    )


def test_an_unknown_pair_names_the_input_the_state_and_the_actor() -> None:
    with pytest.raises(TransitionError) as raised:
        ds.decide(opened(), m.Offer("d-1"), 1.0, CFG)
    assert str(raised.value) == (
        "dialog:d-1 cannot take Offer while queued (no transition of the dialog machine)"
    )


def test_an_ignored_pair_changes_nothing() -> None:
    s = opened()
    assert ds.decide(s, m.OperatorGone("ann"), 1.0, CFG) == m.Decision()
    assert (ds.Phase.QUEUED, m.OperatorGone) in ds.IGNORED


def test_a_command_is_keyed_by_its_own_type() -> None:
    inbound = m.Inbound(c.VisitorSay("d-1", "h", "hello", ref="r1"), None)
    assert input_of(inbound) is c.VisitorSay
    assert (ds.Phase.CLOSED, c.VisitorSay) in ds.TRANSITIONS
    d = ds.decide(opened(), inbound, 1.0, CFG)
    assert [type(e) for e in d.events] == [ev.MessagePostedEv]


def test_every_phase_has_a_row_for_every_command() -> None:
    for phase in ds.Phase:
        for kind in ds.COMMANDS:
            assert (phase, kind) in ds.TRANSITIONS, (phase, kind)


def test_a_pair_both_handled_and_ignored_is_refused_when_the_table_is_made() -> None:
    def handler(s: object, msg: object, now: float, cfg: EngineSettings) -> m.Decision:
        return m.Decision()

    with pytest.raises(ValueError, match="both handled and ignored"):
        Table("dialog", lambda s: ds.Phase.QUEUED, lambda s: "x",
              {(ds.Phase.QUEUED, m.Tick): handler}, frozenset({(ds.Phase.QUEUED, m.Tick)}))


# --- the operator ---------------------------------------------------------------------------


def ann(**changes: object) -> os_.OperatorState:
    s = os_.OperatorState(id="ann", name="Ann", capacity=2)
    return dataclasses.replace(s, **changes)  # type: ignore[arg-type]


def test_the_operator_table_names_input_presence_and_actor() -> None:
    with pytest.raises(TransitionError) as raised:
        os_.decide(ann(logged_in=False), m.Position("d-1", 3), 1.0, CFG)
    assert str(raised.value) == (
        "operator:ann cannot take Position while logged out (no transition of the operator "
        "machine)"
    )


def test_every_presence_has_a_row_for_every_command_and_a_login() -> None:
    for presence in os_.Presence:
        for kind in (*os_.COMMANDS, c.OperatorLogin):
            assert (presence, kind) in os_.TRANSITIONS, (presence, kind)


def test_a_logged_out_operator_refuses_commands_and_declines_offers() -> None:
    gone = ann(logged_in=False)
    cmd = m.Inbound(c.SetCapacity("ann", 3, ref="r"), None)
    (reply,) = os_.decide(gone, cmd, 1.0, CFG).effects
    assert isinstance(reply, m.Reply) and reply.notice.code == "unknown_operator"  # type: ignore[attr-defined]
    (declined,) = os_.decide(gone, m.Offer("d-1"), 1.0, CFG).effects
    assert isinstance(declined, m.Tell) and isinstance(declined.message, m.OfferDeclined)


def test_typed_memos_fold_as_the_changes_they_name() -> None:
    s = ann()
    s = os_.apply(s, os_.SlotReserved(operator="ann", at=5.0, dialog="d-1", assigned=True))
    assert s.reserved == {"d-1"} and s.last_assigned_at == 5.0
    s = os_.apply(s, os_.SlotReserved(operator="ann", at=6.0, dialog="d-2"))
    assert s.reserved == {"d-1", "d-2"} and s.last_assigned_at == 5.0
    s = os_.apply(s, os_.SlotReleased(operator="ann", at=7.0, dialog="d-2"))
    added = n.DialogAdded("ann", "d-1", 2, "V")
    s = os_.apply(s, os_.DialogHeld(operator="ann", at=8.0, added=added))
    assert s.held == {"d-1": added} and s.reserved == frozenset()
    s = os_.apply(s, os_.TransferStarted(operator="ann", at=9.0, tid="ann#1", dialog="d-1",
                                         ref="t", reply_to=None))
    assert s.pending == {"ann#1": ("d-1", "t", None)} and s.next_tid == 2
    s = os_.apply(s, os_.TransferEnded(operator="ann", at=9.5, tid="ann#1"))
    s = os_.apply(s, os_.DialogLeft(operator="ann", at=10.0, dialog="d-1", closed=True))
    assert s.held == {} and s.pending == {} and s.recent_closed == ("d-1",)


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_table_refuses_a_message_it_has_no_row_for() -> None:
    with pytest.raises(TransitionError, match=r"^queue cannot take Assign while routing"):
        qs.step(qs.QueueState(), m.Assign("d-1", "ann", "Ann"))
    assert {kind for _, kind in qs.TRANSITIONS} == {
        m.Enqueue, m.Dequeue, m.Availability, m.OfferAccepted, m.OfferDeclined, m.Undeliverable
    }
