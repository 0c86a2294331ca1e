"""Who may watch a dialog and what a new watcher is told, as plain function calls."""

from __future__ import annotations

from frontdesk.engine import commands as c
from frontdesk.engine import dialog_state as ds
from frontdesk.engine import dialog_watch as dw
from frontdesk.engine import events as ev
from frontdesk.engine import messages as m
from frontdesk.engine import notices as n
from frontdesk.engine.settings import EngineSettings

T0 = 1000.0


def opened() -> ds.DialogState:
    return ds.opened(
        ev.DialogOpenedEv(dialog="d-1", at=T0, seq=1, number=1, token_hash="tok", visitor_name="V")
    )


def run(s: ds.DialogState, msg: object, now: float = T0) -> tuple[ds.DialogState, m.Decision]:
    d = ds.decide(s, msg, now, EngineSettings())
    for e in d.events:
        s = ds.apply(s, e)
    return s, d


def inbound(cmd: c.Command) -> m.Inbound:
    return m.Inbound(cmd, None)


def assigned() -> ds.DialogState:
    s, _ = run(opened(), m.Assign("d-1", "ann", "Ann"))
    return s


def sub(notice: n.Notice) -> None:
    """A subscriber stand-in (never called: these tests only look at the effects)."""


def told(fx: tuple[m.Effect, ...]) -> list[n.Notice]:
    return [f.notice for f in fx if isinstance(f, m.Deliver)]


def closed_after_transfer() -> ds.DialogState:
    s = assigned()
    s, _ = run(s, inbound(c.VisitorSay("d-1", "tok", "hi", ref="a")), T0 + 1)
    s, _ = run(
        s, m.CompleteTransfer("t1", "d-1", "ann", "Ann", "bob", "Bob", "", None, None), T0 + 2
    )
    s, _ = run(s, inbound(c.OperatorClose("bob", "d-1")), T0 + 3)
    return s


def test_watch_authorization_of_an_open_dialog() -> None:
    s = assigned()
    assert dw.authorize_watch(s, m.Watch(sub, token_hash="tok")) is None
    assert dw.authorize_watch(s, m.Watch(sub, operator_id="ann")) is None
    assert dw.authorize_watch(s, m.Watch(sub, manager_id="boss")) is None
    refused = dw.authorize_watch(s, m.Watch(sub, operator_id="bob"))
    assert refused is not None and refused.code == "forbidden"
    wrong = dw.authorize_watch(s, m.Watch(sub, token_hash="not-it", ref="r"))
    assert wrong is not None and (wrong.code, wrong.ref, wrong.dialog) == ("forbidden", "r", "d-1")


def test_a_closed_dialog_may_be_watched_by_its_visitor_last_holder_and_managers() -> None:
    s = closed_after_transfer()
    assert s.phase is ds.Phase.CLOSED
    assert dw.last_holder(s) == "bob"
    assert dw.authorize_watch(s, m.Watch(sub, token_hash="tok")) is None
    assert dw.authorize_watch(s, m.Watch(sub, operator_id="bob")) is None
    assert dw.authorize_watch(s, m.Watch(sub, manager_id="boss")) is None
    refused = dw.authorize_watch(s, m.Watch(sub, operator_id="ann"))  # held it, not last
    assert refused is not None and refused.code == "forbidden"


def test_the_last_holder_of_a_requeued_then_closed_dialog() -> None:
    s = assigned()
    s, _ = run(s, m.OperatorGone("ann"), T0 + 1)
    s, _ = run(s, inbound(c.VisitorClose("d-1", "tok")), T0 + 2)
    assert s.operator is None and dw.last_holder(s) == "ann"
    assert dw.authorize_watch(s, m.Watch(sub, operator_id="ann")) is None
    assert dw.last_holder(opened()) is None


def test_replay_of_a_closed_dialog_ends_with_dialog_closed() -> None:
    s = closed_after_transfer()
    fx = dw.replay(s, m.Watch(sub, after_seq=2, token_hash="tok"))
    notices = told(fx)
    assert [x.seq for x in notices if isinstance(x, n.DialogNotice)] == [3, 4, 5]
    assert len(notices) == 3
    assert isinstance(notices[-1], n.DialogClosed)
    assert all(isinstance(f, m.Deliver) and f.subscribers == (sub,) for f in fx)
    assert told(dw.replay(s, m.Watch(sub, after_seq=5, token_hash="tok"))) == []
    (refused,) = dw.replay(s, m.Watch(sub, token_hash="other", ref="r"))
    assert isinstance(refused, m.Reply) and refused.reply_to is sub
    assert isinstance(refused.notice, n.Rejected) and refused.notice.code == "forbidden"


def test_replay_of_an_open_dialog_gives_history_gone_and_position() -> None:
    s, _ = run(opened(), m.Position("d-1", 2))
    fx = dw.replay(s, m.Watch(sub, after_seq=0, token_hash="tok"))
    assert [type(x) for x in told(fx)] == [n.DialogOpened, n.QueuePosition]
    ahead = told(dw.replay(s, m.Watch(sub, after_seq=9, token_hash="tok")))
    assert ahead[0] == n.HistoryGone("d-1", 1, 9) and isinstance(ahead[-1], n.QueuePosition)


def test_fold_stream_is_the_replay_of_a_dialog() -> None:
    s = assigned()
    s2, d = run(s, inbound(c.VisitorSay("d-1", "tok", "hi", ref="a")), T0 + 1)
    first = ev.DialogOpenedEv(
        dialog="d-1", at=T0, seq=1, number=1, token_hash="tok", visitor_name="V"
    )
    assign = ev.DialogAssignedEv(dialog="d-1", at=T0, seq=2, operator="ann", operator_name="Ann")
    assert dw.fold_stream([first, assign, *d.events]) == s2
    assert dw.fold_stream([assign]) is None
