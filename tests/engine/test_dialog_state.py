"""The dialog state machine as plain function calls: every transition and refusal."""

from __future__ import annotations

import pytest

from frontdesk.engine import commands, dialog_state, messages, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import Record
from frontdesk.engine.settings import EngineSettings

CFG = EngineSettings(visitor_inactivity_timeout_s=100)
T0 = 1000.0


def opened() -> dialog_state.DialogState:
    return dialog_state.opened(
        engine_events.DialogOpened(dialog="d-1", at=T0, seq=1, number=1, token_hash="tok",
                                   visitor_name="V")
    )


def run(s: dialog_state.DialogState, msg: object,
        now: float = T0) -> tuple[dialog_state.DialogState, messages.Decision]:
    d = dialog_state.decide(s, msg, now, CFG)
    for e in d.events:
        s = dialog_state.apply(s, e)
    return s, d


def inbound(cmd: commands.Command) -> messages.Inbound:
    return messages.Inbound(cmd, None)


def replies(d: messages.Decision) -> list[notices.Notice]:
    return [f.notice for f in d.effects if isinstance(f, messages.Reply)]


def tells(d: messages.Decision) -> list[tuple[str, object]]:
    return [(f.address, f.message) for f in d.effects if isinstance(f, messages.Tell)]


def assigned() -> dialog_state.DialogState:
    s, _ = run(opened(), messages.Assign("d-1", "ann", "Ann"))
    return s


def test_open_is_queued_with_first_entry() -> None:
    s = opened()
    assert s.phase is dialog_state.Phase.QUEUED and s.seq == 1
    assert isinstance(s.history[0], notices.DialogOpened)


def test_assign_from_queued() -> None:
    s, d = run(opened(), messages.Assign("d-1", "ann", "Ann"))
    assert s.phase is dialog_state.Phase.ASSIGNED and s.operator == "ann" and s.seq == 2
    assert ("queue", messages.Dequeue("d-1", 0.0)) in tells(d)  # waited 0 s: a wait to learn from
    assert ("operator:ann", messages.AssignmentDone("d-1", "ann", 2, "V")) in tells(d)


def test_assign_when_not_queued_releases_the_slot() -> None:
    s, d = run(assigned(), messages.Assign("d-1", "bob", "Bob"))
    assert s.operator == "ann" and not d.events
    assert tells(d) == [("operator:bob", messages.ReleaseSlot("d-1"))]


def test_visitor_say_sets_waiting_and_acks() -> None:
    s, d = run(opened(), inbound(commands.VisitorSay("d-1", "tok", "hi", ref="r")), T0 + 5)
    assert s.seq == 2 and s.waiting_since == T0 + 5 and s.last_visitor_at == T0 + 5
    assert replies(d) == [notices.Ack("r", "d-1", 2)]
    s, _ = run(s, inbound(commands.VisitorSay("d-1", "tok", "again", ref="r2")), T0 + 9)
    assert s.waiting_since == T0 + 5  # the oldest unanswered message
    assert s.unanswered_s(T0 + 15) == 10
    assert s.waiting_s(T0 + 15) == 15  # still queued: it has waited since it was queued (T0)


def test_operator_reply_clears_waiting() -> None:
    s, _ = run(assigned(), inbound(commands.VisitorSay("d-1", "tok", "hi")), T0 + 1)
    s, _ = run(s, inbound(commands.OperatorSay("ann", "d-1", "hello")), T0 + 3)
    assert s.waiting_since is None and s.waiting_s(T0 + 100) == 0


def test_duplicate_ref_acks_original_seq_and_appends_nothing() -> None:
    s, _ = run(opened(), inbound(commands.VisitorSay("d-1", "tok", "hi", ref="x")))
    s2, d = run(s, inbound(commands.VisitorSay("d-1", "tok", "hi", ref="x")))
    assert s2 == s and not d.events and replies(d) == [notices.Ack("x", "d-1", 2)]


@pytest.mark.parametrize(
    ("cmd", "code"),
    [
        (commands.VisitorSay("d-1", "wrong", "hi"), "forbidden"),
        (commands.VisitorClose("d-1", "wrong"), "forbidden"),
        (commands.OperatorSay("bob", "d-1", "hi"), "forbidden"),
        (commands.OperatorClose("bob", "d-1"), "forbidden"),
        (commands.MarkImportant("bob", "d-1"), "forbidden"),
        (commands.AskForHelp("bob", "d-1"), "forbidden"),
        (commands.VisitorSay("d-1", "tok", " "), "invalid"),
    ],
)
def test_refusals_change_nothing(cmd: commands.Command, code: str) -> None:
    s0 = assigned()
    s, d = run(s0, inbound(cmd))
    assert s == s0 and not d.events
    (rej,) = replies(d)
    assert isinstance(rej, notices.Rejected) and rej.code == code and "d-1" in rej.message


def test_operator_cannot_act_on_a_queued_dialog() -> None:
    _, d = run(opened(), inbound(commands.OperatorSay("ann", "d-1", "hi")))
    (rej,) = replies(d)
    assert isinstance(rej, notices.Rejected) and "queued" in rej.message


@pytest.mark.parametrize(
    ("cmd", "by"),
    [
        (commands.VisitorClose("d-1", "tok"), "visitor"),
        (commands.OperatorClose("ann", "d-1"), "operator"),
        (commands.ManagerClose("boss", "d-1"), "manager"),
    ],
)
def test_close_tells_holder_and_retires(cmd: commands.Command, by: str) -> None:
    s, d = run(assigned(), inbound(cmd))
    assert s.phase is dialog_state.Phase.CLOSED and s.closed_by == by
    assert ("operator:ann", messages.DialogReleased("d-1", 3, "closed")) in tells(d)
    assert ("dialog:d-1", messages.Retire()) in tells(d)


def test_close_of_queued_dequeues() -> None:
    s, d = run(opened(), inbound(commands.VisitorClose("d-1", "tok")))
    assert s.phase is dialog_state.Phase.CLOSED
    assert ("queue", messages.Dequeue("d-1")) in tells(d)  # closed, not assigned: no wait learnt


@pytest.mark.parametrize(
    "cmd",
    [
        commands.VisitorSay("d-1", "tok", "hi"),
        commands.OperatorSay("ann", "d-1", "hi"),
        commands.VisitorClose("d-1", "tok"),
        commands.MarkImportant("ann", "d-1"),
        commands.Monitor("boss", "d-1"),
    ],
)
def test_closed_refuses_everything(cmd: commands.Command) -> None:
    s, _ = run(assigned(), inbound(commands.OperatorClose("ann", "d-1")))
    s2, d = run(s, inbound(cmd))
    assert s2 == s
    (rej,) = replies(d)
    assert isinstance(rej,
                      notices.Rejected) and rej.code == "closed" and "it is closed" in rej.message


def test_transfer_completes_in_one_event() -> None:
    t = messages.CompleteTransfer("t1", "d-1", "ann", "Ann", "bob", "Bob", "note", "r", None)
    s, d = run(assigned(), t)
    assert s.operator == "bob" and len([e for e in d.events if e.JOURNALED]) == 1
    assert ("operator:ann", messages.DialogReleased("d-1", 3, "transferred")) in tells(d)
    assert ("operator:bob", messages.TransferIn("d-1", 3, "V", "ann", "Ann", "note")) in tells(d)
    assert replies(d) == [notices.Ack("r", "d-1", 3)]
    # the same transfer again (late duplicate) only releases the receiver's slot
    s2, d2 = run(s, t)
    assert s2.operator == "bob" and tells(d2) == [("operator:bob", messages.ReleaseSlot("d-1"))]


def test_transfer_refused_when_sender_no_longer_holds() -> None:
    t = messages.CompleteTransfer("t1", "d-1", "cy", "Cy", "bob", "Bob", "", "r", None)
    s, d = run(assigned(), t)
    assert s.operator == "ann"
    (rej,) = replies(d)
    assert isinstance(rej, notices.Rejected) and rej.code == "forbidden"
    assert ("operator:bob", messages.ReleaseSlot("d-1")) in tells(d)


def test_abort_then_late_complete_is_refused() -> None:
    s, d = run(assigned(), messages.AbortTransfer("t1", "d-1", "ann", "timeout", "late", "r", None))
    assert isinstance(replies(d)[0], notices.Rejected)
    t = messages.CompleteTransfer("t1", "d-1", "ann", "Ann", "bob", "Bob", "", "r", None)
    s2, d2 = run(s, t)
    assert s2.operator == "ann" and tells(d2) == [("operator:bob", messages.ReleaseSlot("d-1"))]


def test_holder_gone_requeues() -> None:
    s, d = run(assigned(), messages.OperatorGone("ann"))
    assert s.requeued  # journaled: a replayed queue puts it back at the head too
    assert s.phase is dialog_state.Phase.QUEUED and s.operator is None
    assert ("queue", messages.Enqueue("d-1", 1, 0, head=True)) in tells(d)
    s2, d2 = run(assigned(), messages.OperatorGone("bob"))
    assert s2.operator == "ann" and not d2.events


def test_looking_for_info_only_from_holder() -> None:
    s, d = run(assigned(), messages.NoteLookingForInfo("ann", "Ann", reminder=True))
    assert isinstance(s.history[-1], notices.LookingForInfo) and s.history[-1].reminder
    assert [type(f) for f in d.effects] == [messages.Publish]
    _, d2 = run(assigned(), messages.NoteLookingForInfo("bob", "Bob", reminder=False))
    assert not d2.events


def test_inactivity_tick() -> None:
    s, _ = run(opened(), inbound(commands.VisitorSay("d-1", "tok", "hi")), T0 + 50)
    _, d = run(s, messages.Tick("inactivity"), T0 + 149)
    assert not d.events
    s2, d2 = run(s, messages.Tick("inactivity"), T0 + 150)
    assert ("dialog:d-1", messages.Retire()) in tells(d2)
    assert s2.phase is dialog_state.Phase.CLOSED and s2.closed_by == "timeout"


def test_position_is_ephemeral() -> None:
    s, d = run(opened(), messages.Position("d-1", 3))
    assert s.position == 3 and not [e for e in d.events if e.JOURNALED]
    _, d2 = run(s, messages.Position("d-1", 3))
    assert d2 == messages.Decision()


def test_replay_equals_live_state() -> None:
    s = assigned()
    s, d1 = run(s, inbound(commands.VisitorSay("d-1", "tok", "hi", ref="a")), T0 + 1)
    s, d2 = run(s, inbound(commands.MarkImportant("ann", "d-1")), T0 + 2)
    events = [e for d in (d1, d2) for e in d.events]
    replayed = assigned()
    for e in events:
        replayed = dialog_state.apply(replayed, engine_events.from_record(_record(e)))
    assert replayed == s


def _record(e: engine_events.Event) -> Record:
    ne = engine_events.to_new_event(e)
    return Record(1, 1, ne.stream, ne.type, ne.version, ne.data, ne.at)
