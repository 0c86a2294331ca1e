"""Who may watch a dialog and what a new watcher is told, as plain function calls."""

from __future__ import annotations

from frontdesk.engine import commands, dialog_state, dialog_watch, events, messages
from frontdesk.engine import notices as engine_notices
from frontdesk.engine.settings import EngineSettings

T0 = 1000.0


def opened() -> dialog_state.DialogState:
    return dialog_state.opened(
        events.DialogOpened(dialog="d-1", at=T0, seq=1, number=1, token_hash="tok",
                            visitor_name="V")
    )


def run(s: dialog_state.DialogState, msg: object,
        now: float = T0) -> tuple[dialog_state.DialogState, messages.Decision]:
    d = dialog_state.decide(s, msg, now, EngineSettings())
    for e in d.events:
        s = dialog_state.apply(s, e)
    return s, d


def inbound(cmd: commands.Command) -> messages.Inbound:
    return messages.Inbound(cmd, None)


def assigned() -> dialog_state.DialogState:
    s, _ = run(opened(), messages.Assign("d-1", "ann", "Ann"))
    return s


def sub(notice: engine_notices.Notice) -> None:
    """A subscriber stand-in (never called: these tests only look at the effects)."""


def told(fx: tuple[messages.Effect, ...]) -> list[engine_notices.Notice]:
    return [f.notice for f in fx if isinstance(f, messages.Deliver)]


def closed_after_transfer() -> dialog_state.DialogState:
    s = assigned()
    s, _ = run(s, inbound(commands.VisitorSay("d-1", "tok", "hi", ref="a")), T0 + 1)
    s, _ = run(
        s, messages.CompleteTransfer("t1", "d-1", "ann", "Ann", "bob", "Bob", "", None, None),
        T0 + 2
    )
    s, _ = run(s, inbound(commands.OperatorClose("bob", "d-1")), T0 + 3)
    return s


def test_watch_authorization_of_an_open_dialog() -> None:
    s = assigned()
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, token_hash="tok")) is None
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, operator_id="ann")) is None
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, manager_id="boss")) is None
    refused = dialog_watch.authorize_watch(s, messages.Watch(sub, operator_id="bob"))
    assert refused is not None and refused.code == "forbidden"
    wrong = dialog_watch.authorize_watch(s, messages.Watch(sub, token_hash="not-it", ref="r"))
    assert wrong is not None and (wrong.code, wrong.ref, wrong.dialog) == ("forbidden", "r", "d-1")


def test_a_closed_dialog_may_be_watched_by_its_visitor_last_holder_and_managers() -> None:
    s = closed_after_transfer()
    assert s.phase is dialog_state.Phase.CLOSED
    assert dialog_watch.last_holder(s) == "bob"
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, token_hash="tok")) is None
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, operator_id="bob")) is None
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, manager_id="boss")) is None
    refused = dialog_watch.authorize_watch(s,
        messages.Watch(sub, operator_id="ann"))  # held it, not last
    assert refused is not None and refused.code == "forbidden"


def test_the_last_holder_of_a_requeued_then_closed_dialog() -> None:
    s = assigned()
    s, _ = run(s, messages.OperatorGone("ann"), T0 + 1)
    s, _ = run(s, inbound(commands.VisitorClose("d-1", "tok")), T0 + 2)
    assert s.operator is None and dialog_watch.last_holder(s) == "ann"
    assert dialog_watch.authorize_watch(s, messages.Watch(sub, operator_id="ann")) is None
    assert dialog_watch.last_holder(opened()) is None


def test_replay_of_a_closed_dialog_ends_with_dialog_closed() -> None:
    s = closed_after_transfer()
    fx = dialog_watch.replay(s, messages.Watch(sub, after_seq=2, token_hash="tok"))
    notices = told(fx)
    assert [x.seq for x in notices if isinstance(x, engine_notices.DialogNotice)] == [3, 4, 5]
    assert len(notices) == 3
    assert isinstance(notices[-1], engine_notices.DialogClosed)
    assert all(isinstance(f, messages.Deliver) and f.subscribers == (sub,) for f in fx)
    assert told(dialog_watch.replay(s, messages.Watch(sub, after_seq=5, token_hash="tok"))) == []
    (refused,) = dialog_watch.replay(s, messages.Watch(sub, token_hash="other", ref="r"))
    assert isinstance(refused, messages.Reply) and refused.reply_to is sub
    assert isinstance(refused.notice,
                      engine_notices.Rejected) and refused.notice.code == "forbidden"


def test_replay_of_an_open_dialog_gives_history_gone_and_position() -> None:
    s, _ = run(opened(), messages.Position("d-1", 2))
    fx = dialog_watch.replay(s, messages.Watch(sub, after_seq=0, token_hash="tok"))
    assert [type(x) for x in told(fx)] == [engine_notices.DialogOpened,
                                           engine_notices.QueuePosition]
    ahead = told(dialog_watch.replay(s, messages.Watch(sub, after_seq=9, token_hash="tok")))
    assert ahead[0] == engine_notices.HistoryGone("d-1", 1, 9) and isinstance(ahead[-1],
        engine_notices.QueuePosition)


def test_fold_stream_is_the_replay_of_a_dialog() -> None:
    s = assigned()
    s2, d = run(s, inbound(commands.VisitorSay("d-1", "tok", "hi", ref="a")), T0 + 1)
    first = events.DialogOpened(
        dialog="d-1", at=T0, seq=1, number=1, token_hash="tok", visitor_name="V"
    )
    assign = events.DialogAssigned(dialog="d-1", at=T0, seq=2, operator="ann", operator_name="Ann")
    assert dialog_watch.fold_stream([first, assign, *d.events]) == s2
    assert dialog_watch.fold_stream([assign]) is None
