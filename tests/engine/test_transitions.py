"""The state machines as tables (engine/transitions.py): every pair handled or ignored,
and one error, naming the input, the state and the actor, for any other."""

from __future__ import annotations

import pytest

from engine import commands as c
from engine import dialog_state as ds
from engine import events as ev
from engine import messages as m
from engine.settings import EngineSettings
from engine.transitions import Table, TransitionError, input_of

CFG = EngineSettings()


def opened() -> ds.DialogState:
    return ds.opened(
        ev.DialogOpenedEv(at=0.0, dialog="d-1", seq=1, number=1, token_hash="h", visitor_name="V")
    )


def test_an_unknown_pair_names_the_input_the_state_and_the_actor() -> None:
    with pytest.raises(TransitionError) as raised:
        ds.decide(opened(), m.Offer("d-1"), 1.0, CFG)
    assert str(raised.value) == "dialog:d-1 cannot take Offer as a dialog that is queued"


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
