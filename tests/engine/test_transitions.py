"""The state machines as tables (engine/transitions.py): every pair handled or ignored,
and one error, naming the input, the state and the actor, for any other."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.engine import (
    commands,
    dialog_state,
    events,
    messages,
    notices,
    operator_state,
    queue_state,
)
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.transitions import Table, TransitionError, input_of

CFG = EngineSettings()


def opened() -> dialog_state.DialogState:
    return dialog_state.opened(
        events.DialogOpened(at=0.0, dialog="d-1", seq=1, number=1, token_hash="h", visitor_name="V")
    )


def test_an_unknown_pair_names_the_input_the_state_and_the_actor() -> None:
    with pytest.raises(TransitionError) as raised:
        dialog_state.decide(opened(), messages.Offer("d-1"), 1.0, CFG)
    assert str(raised.value) == (
        "dialog:d-1 cannot take Offer while queued (no transition of the dialog machine)"
    )


def test_an_ignored_pair_changes_nothing() -> None:
    s = opened()
    assert dialog_state.decide(s, messages.OperatorGone("ann"), 1.0, CFG) == messages.Decision()
    assert (dialog_state.Phase.QUEUED, messages.OperatorGone) in dialog_state.IGNORED


def test_a_command_is_keyed_by_its_own_type() -> None:
    inbound = messages.Inbound(commands.VisitorSay("d-1", "h", "hello", ref="r1"), None)
    assert input_of(inbound) is commands.VisitorSay
    assert (dialog_state.Phase.CLOSED, commands.VisitorSay) in dialog_state.TRANSITIONS
    d = dialog_state.decide(opened(), inbound, 1.0, CFG)
    assert [type(e) for e in d.events] == [events.MessagePosted]


def test_every_phase_has_a_row_for_every_command() -> None:
    for phase in dialog_state.Phase:
        for kind in dialog_state.COMMANDS:
            assert (phase, kind) in dialog_state.TRANSITIONS, (phase, kind)


def test_a_pair_both_handled_and_ignored_is_refused_when_the_table_is_made() -> None:
    def handler(s: object, msg: object, now: float, cfg: EngineSettings) -> messages.Decision:
        return messages.Decision()

    with pytest.raises(ValueError, match="both handled and ignored"):
        Table("dialog", lambda s: dialog_state.Phase.QUEUED, lambda s: "x",
              {(dialog_state.Phase.QUEUED, messages.Tick): handler},
              frozenset({(dialog_state.Phase.QUEUED, messages.Tick)}))


# --- the operator ---------------------------------------------------------------------------


def ann(**changes: object) -> operator_state.OperatorState:
    s = operator_state.OperatorState(id="ann", name="Ann", capacity=2)
    return dataclasses.replace(s, **changes)  # type: ignore[arg-type]


def test_the_operator_table_names_input_presence_and_actor() -> None:
    with pytest.raises(TransitionError) as raised:
        operator_state.decide(ann(logged_in=False), messages.Position("d-1", 3), 1.0, CFG)
    assert str(raised.value) == (
        "operator:ann cannot take Position while logged out (no transition of the operator "
        "machine)"
    )


def test_every_presence_has_a_row_for_every_command_and_a_login() -> None:
    for presence in operator_state.Presence:
        for kind in (*operator_state.COMMANDS, commands.OperatorLogin):
            assert (presence, kind) in operator_state.TRANSITIONS, (presence, kind)


def test_a_logged_out_operator_refuses_commands_and_declines_offers() -> None:
    gone = ann(logged_in=False)
    cmd = messages.Inbound(commands.SetCapacity("ann", 3, ref="r"), None)
    (reply,) = operator_state.decide(gone, cmd, 1.0, CFG).effects
    assert isinstance(reply, messages.Reply) and reply.notice.code == "unknown_operator"  # type: ignore[attr-defined]
    (declined,) = operator_state.decide(gone, messages.Offer("d-1"), 1.0, CFG).effects
    assert isinstance(declined, messages.Tell) and isinstance(declined.message,
                                                              messages.OfferDeclined)


def test_typed_memos_fold_as_the_changes_they_name() -> None:
    s = ann()
    s = operator_state.apply(s,
        operator_state.SlotReserved(operator="ann", at=5.0, dialog="d-1", assigned=True))
    assert s.reserved == {"d-1"} and s.last_assigned_at == 5.0
    s = operator_state.apply(s, operator_state.SlotReserved(operator="ann", at=6.0, dialog="d-2"))
    assert s.reserved == {"d-1", "d-2"} and s.last_assigned_at == 5.0
    s = operator_state.apply(s, operator_state.SlotReleased(operator="ann", at=7.0, dialog="d-2"))
    added = notices.DialogAdded("ann", "d-1", 2, "V")
    s = operator_state.apply(s, operator_state.DialogHeld(operator="ann", at=8.0, added=added))
    assert s.held == {"d-1": added} and s.reserved == frozenset()
    s = operator_state.apply(s,
        operator_state.TransferStarted(operator="ann", at=9.0, tid="ann#1", dialog="d-1",
                                         ref="t", reply_to=None))
    assert s.pending == {"ann#1": ("d-1", "t", None)} and s.next_tid == 2
    s = operator_state.apply(s, operator_state.TransferEnded(operator="ann", at=9.5, tid="ann#1"))
    s = operator_state.apply(s,
        operator_state.DialogLeft(operator="ann", at=10.0, dialog="d-1", closed=True))
    assert s.held == {} and s.pending == {} and s.recent_closed == ("d-1",)


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_table_refuses_a_message_it_has_no_row_for() -> None:
    with pytest.raises(TransitionError, match=r"^queue cannot take Assign while routing"):
        queue_state.step(queue_state.QueueState(), messages.Assign("d-1", "ann", "Ann"))
    assert {kind for _, kind in queue_state.TRANSITIONS} == {
        messages.Enqueue, messages.Dequeue, messages.Availability, messages.OfferAccepted,
        messages.OfferDeclined, messages.Undeliverable, messages.DirectedOffer, messages.FlushInfo
    }


def test_the_dialogs_memos_are_typed_and_fold_as_the_change_they_name() -> None:
    s = opened()
    s = dialog_state.apply(s, dialog_state.PositionTold(dialog="d-1", at=1.0, position=3,
                                                        estimate_s=120.0))
    assert (s.position, s.estimate_s) == (3, 120.0)
    s = dialog_state.apply(s, dialog_state.TransferSettled(dialog="d-1", at=2.0, tid="ann#1"))
    assert s.finished_tids == {"ann#1"}
    s = dialog_state.apply(s, dialog_state.PresenceTold(dialog="d-1", at=3.0, presence="away"))
    assert s.presence == "away" and (s.position, s.finished_tids) == (3, {"ann#1"})
    for memo in (dialog_state.PositionTold, dialog_state.TransferSettled,
                 dialog_state.PresenceTold):
        assert issubclass(memo, dialog_state.Memo) and not memo.JOURNALED
    # the root holds no field to set: each change is its own event
    assert {f.name for f in dataclasses.fields(dialog_state.Memo)} == {"dialog", "at"}
