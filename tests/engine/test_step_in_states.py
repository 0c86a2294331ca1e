"""A manager steps in (issue 16): internal messages with the dialog's operator, writing to
the visitor; each a journaled dialog entry, internal ones never reaching the visitor."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness
from tests.engine.test_dialog_state import assigned, inbound, opened, replies, run


def _internal(author: str, who: str, text: str = "check the refund") -> commands.InternalMessage:
    return commands.InternalMessage(author, who, who.title(), "d-1", text, ref="i-1")  # type: ignore[arg-type]


def test_a_manager_writes_an_internal_message_to_the_holder() -> None:
    s, d = run(assigned(), inbound(_internal("manager", "maria")))
    (entry,) = s.history[-1:]
    assert isinstance(entry, notices.InternalMessage)
    assert (entry.author, entry.author_id, entry.name, entry.text) == (
        "manager", "maria", "Maria", "check the refund")
    assert entry.audience == frozenset({"operator", "manager"})
    assert entry.for_audience("visitor") is None
    (ack,) = replies(d)
    assert isinstance(ack, notices.Ack) and ack.seq == s.seq == 3
    assert len(d.events) == 1 and d.events[0].TYPE == "dialog.internal"


def test_the_holder_answers_and_another_operator_may_not() -> None:
    s, _ = run(assigned(), inbound(_internal("operator", "ann", "on it")))
    assert isinstance(s.history[-1], notices.InternalMessage) and s.history[-1].author == "operator"
    s2, d = run(assigned(), inbound(_internal("operator", "bob")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "forbidden"
    assert "internal message" in refused.message and "another operator holds it" in refused.message
    assert s2.seq == 2 and not d.events


def test_an_internal_message_needs_a_holder_and_a_text() -> None:
    _, d = run(opened(), inbound(_internal("manager", "maria")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "invalid"
    assert "no operator holds it" in refused.message
    _, d = run(assigned(), inbound(_internal("manager", "maria", "  ")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and "the text is empty" in refused.message


def test_a_manager_writes_to_the_visitor_under_their_name() -> None:
    s, _ = run(opened(), inbound(commands.VisitorSay("d-1", "tok", "hello?", ref="v-1")))
    s, _ = run(s, inbound(commands.OperatorSay("ann", "d-1", "x", ref="o-1")))  # queued: refused
    assert s.seq == 2 and s.waiting_since is not None
    say = commands.ManagerSay("maria", "Maria", "d-1", "I can help", ref="m-1")
    s, _ = run(s, inbound(say))
    msg = s.history[-1]
    assert isinstance(msg, notices.MessagePosted)
    assert (msg.author, msg.name, msg.text) == ("manager", "Maria", "I can help")
    assert msg.audience == notices.EVERYONE
    assert s.waiting_since is None  # the visitor was answered
    # the same ref again: the first entry's seq, nothing appended
    s2, d2 = run(s, inbound(say))
    assert s2.seq == s.seq and not d2.events
    (ack,) = replies(d2)
    assert isinstance(ack, notices.Ack) and ack.seq == s.seq


def test_a_closed_dialog_refuses_both_with_a_clear_error() -> None:
    s, _ = run(assigned(), inbound(commands.ManagerClose("maria", "d-1")))
    for cmd in (_internal("manager", "maria"), commands.ManagerSay("maria", "Maria", "d-1", "hi")):
        _, d = run(s, inbound(cmd))
        (refused,) = replies(d)
        assert isinstance(refused, notices.Rejected) and refused.code == "closed"
        assert refused.message.endswith("dialog d-1: it is closed")
        assert not d.events


def test_the_visitor_never_receives_an_internal_message_live_or_on_replay(
    harness: EngineHarness,
) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    note = commands.InternalMessage("manager", "maria", "Maria", d, "secret", ref="i-1")
    assert isinstance(harness.command(note), notices.Ack)
    answer = commands.InternalMessage("operator", "ann", "Ann", d, "ok boss", ref="i-2")
    assert isinstance(harness.command(answer), notices.Ack)
    assert isinstance(harness.command(commands.ManagerSay("maria", "Maria", d, "Hello Vera")),
                      notices.Ack)
    harness.settle()
    seen = [x.to_wire() for x in vera.probe.received]
    assert "secret" not in repr(seen) and "ok boss" not in repr(seen)
    assert {"author": "manager", "name": "Maria", "text": "Hello Vera"}.items() <= next(
        f for f in seen if f.get("author") == "manager").items()
    staff = [x.to_wire() for x in harness.managers.received]
    assert [f["text"] for f in staff if f["type"] == "dialog.internal"] == ["secret", "ok boss"]
    replay = harness.probe("replay")
    harness.engine.watch_dialog(d, replay, token_hash=vera.token_hash)
    op_replay = ann.watch(d)
    harness.settle()
    assert "secret" not in repr([x.to_wire() for x in replay.received])
    assert "Hello Vera" in repr([x.to_wire() for x in replay.received])
    internal = [x for x in op_replay.received if isinstance(x, notices.InternalMessage)]
    assert [x.text for x in internal] == ["secret", "ok boss"]


def test_a_manager_takes_a_dialog_over_for_another_operator(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    bob = harness.login("bob")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    held_by = harness.snapshot()
    assert any(x["id"] == d and x["operator"] in ("ann", "bob") for x in held_by["dialogs"])
    holder, other = (ann, bob) if d in ann.dialogs else (bob, ann)
    answer = harness.command(commands.TakeOver("maria", "Maria", d, other.id, "VIP", ref="to-1"))
    assert isinstance(answer, notices.Ack) and answer.ref == "to-1"
    harness.settle()
    assert d in other.dialogs and d not in holder.dialogs
    (moved,) = [x for x in harness.managers.received if isinstance(x, notices.DialogTransferred)]
    assert (moved.from_operator, moved.to_operator) == (holder.id, other.id)
    assert moved.note == "taken over by Maria: VIP"  # who did it, journaled with the move
    # the visitor sees the names only
    assert "Maria" not in repr([x.to_wire() for x in vera.probe.received])


def test_take_over_refusals(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    same = harness.command(commands.TakeOver("maria", "Maria", d, "ann", ref="to-1"))
    assert isinstance(same, notices.Rejected) and same.code == "invalid"
    assert same.message == f"cannot take over dialog {d}: ann already holds it"
    nobody = harness.command(commands.TakeOver("maria", "Maria", d, "zed", ref="to-2"))
    assert isinstance(nobody, notices.Rejected) and nobody.code == "unknown_operator"
    assert d in ann.dialogs
    assert isinstance(ann.close(d), notices.Ack)
    closed = harness.command(commands.TakeOver("maria", "Maria", d, "bob", ref="to-3"))
    assert isinstance(closed, notices.Rejected) and closed.code == "closed"
    assert closed.message == f"cannot take over dialog {d}: it is closed"


def test_an_internal_message_to_an_operator_who_logged_out_is_refused(
    harness: EngineHarness,
) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    assert isinstance(ann.logout(), notices.Ack)
    harness.settle()
    refused = harness.command(commands.InternalMessage("manager", "maria", "Maria", d, "hello?"))
    assert isinstance(refused, notices.Rejected) and refused.code == "invalid"
    assert refused.message == (
        f"cannot send an internal message in dialog {d}: no operator holds it (it is queued)")
    late = harness.command(commands.InternalMessage("operator", "ann", "Ann", d, "still here"))
    assert isinstance(late, notices.Rejected) and late.code == "forbidden"
    assert "hello?" not in repr([x.to_wire() for x in vera.probe.received])
