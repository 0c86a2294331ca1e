"""Help requests (issue 16): a manager acknowledges one (``dialog.help_acked``), a manager or
the holder resolves it (``dialog.help_resolved``, its trace); both staff only, journaled, and
refused with a clear error when nothing waits, another manager is on it, or it is closed."""

from __future__ import annotations

from frontdesk.engine import commands, events, notices
from frontdesk.engine.dialog_model import DialogState
from frontdesk.engine.testing import EngineHarness
from tests.engine.test_dialog_state import assigned, inbound, replies, run


def _asked() -> DialogState:
    s, _ = run(assigned(), inbound(commands.AskForHelp("ann", "d-1", "angry customer", ref="h-1")))
    return s


def _ack(who: str = "maria") -> commands.HelpAck:
    return commands.HelpAck(who, who.title(), "d-1", ref=f"a-{who}")


def test_a_manager_acknowledges_a_waiting_help_request() -> None:
    s, d = run(_asked(), inbound(_ack()))
    entry = s.history[-1]
    assert isinstance(entry, notices.HelpAcked) and (entry.manager, entry.name) == ("maria",
                                                                                    "Maria")
    assert entry.for_audience("visitor") is None and entry.audience == notices.STAFF
    assert [e.TYPE for e in d.events] == ["dialog.help_acked"]
    (ack,) = replies(d)
    assert isinstance(ack, notices.Ack) and ack.seq == s.seq
    assert s.help_request is not None and s.help_request["acked_by"] == "maria"
    # the same manager again (a resend): answered, nothing appended
    s2, d2 = run(s, inbound(_ack()))
    assert not d2.events and isinstance(replies(d2)[0], notices.Ack) and s2.seq == s.seq


def test_acknowledging_is_refused_without_a_request_or_when_another_manager_is_on_it() -> None:
    _, d = run(assigned(), inbound(_ack()))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "invalid"
    assert refused.message == (
        "cannot acknowledge the help request in dialog d-1: no help request is waiting")
    s, _ = run(_asked(), inbound(_ack()))
    _, d = run(s, inbound(_ack("paul")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and not d.events
    assert refused.message.endswith(": Maria is on it already")


def test_acknowledging_a_closed_dialog_is_refused() -> None:
    s, _ = run(_asked(), inbound(commands.ManagerClose("maria", "d-1")))
    _, d = run(s, inbound(_ack()))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "closed"
    assert refused.message == "cannot acknowledge the help request in dialog d-1: it is closed"


def test_resolving_leaves_a_trace_and_clears_the_request() -> None:
    s, _ = run(_asked(), inbound(_ack()))
    resolve = commands.HelpResolve("operator", "ann", "Ann", "d-1", "sorted", ref="r-1")
    s, d = run(s, inbound(resolve))
    entry = s.history[-1]
    assert isinstance(entry, notices.HelpResolved)
    assert (entry.author, entry.name, entry.text) == ("operator", "Ann", "sorted")
    assert entry.for_audience("visitor") is None
    assert s.help_request is None and [e.TYPE for e in d.events] == ["dialog.help_resolved"]
    # nothing open any more
    _, d = run(s, inbound(commands.HelpResolve("manager", "maria", "Maria", "d-1")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.message == (
        "cannot resolve the help request in dialog d-1: no help request is open")


def test_a_manager_may_resolve_but_another_operator_may_not() -> None:
    _, d = run(_asked(), inbound(commands.HelpResolve("operator", "bob", "Bob", "d-1")))
    (refused,) = replies(d)
    assert isinstance(refused, notices.Rejected) and refused.code == "forbidden"
    assert "another operator holds it" in refused.message
    s, d = run(_asked(), inbound(commands.HelpResolve("manager", "maria", "Maria", "d-1")))
    assert isinstance(s.history[-1], notices.HelpResolved) and s.history[-1].author == "manager"


def test_the_events_round_trip_through_the_journal_form() -> None:
    for e in (events.HelpAcked(dialog="d-1", at=1.0, seq=4, manager="maria", name="Maria"),
              events.HelpResolved(dialog="d-1", at=2.0, seq=5, author="operator",
                                author_id="ann", name="Ann", text="ok")):
        assert events.EVENT_TYPES[e.TYPE] is type(e)
        assert type(e)(at=e.at, **events.to_new_event(e).data) == e


def test_figures_and_snapshot_count_a_request_as_waiting_until_acknowledged(
    harness: EngineHarness,
) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    watching = ann.watch(d)
    assert isinstance(harness.command(commands.AskForHelp("ann", d, "refund?", ref="h")),
                      notices.Ack)
    assert harness.snapshot()["figures"]["help_requests"] == 1
    assert isinstance(harness.command(commands.HelpAck("maria", "Maria", d, ref="a")), notices.Ack)
    snap = harness.snapshot()
    assert snap["figures"]["help_requests"] == 0
    (req,) = snap["help_requests"]
    assert (req["dialog"], req["acked_by"], req["acked_name"]) == (d, "maria", "Maria")
    assert isinstance(harness.command(commands.HelpResolve("manager", "maria", "Maria", d)),
                      notices.Ack)
    assert harness.snapshot()["help_requests"] == []
    harness.settle()
    # the operator was told, the visitor never
    kinds = [x.TYPE for x in watching.received if isinstance(x, notices.DialogNotice)]
    assert "dialog.help_acked" in kinds and "dialog.help_resolved" in kinds
    seen = repr([x.to_wire() for x in vera.probe.received])
    assert "help" not in seen and "Maria" not in seen
