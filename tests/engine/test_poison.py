"""Poison commands never give up an actor (issue 12, finding 3, engine side).

A command that fails inside the engine is refused ``invalid`` with the reason; it
never counts against an actor's restart intensity, never wedges a dialog and never
pins an operator's capacity. Each actor kind is fed poison — through ``submit`` and
past it, straight into its address, as a buggy adapter could — and everything else
must still work afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.engine import commands, events, messages, notices
from frontdesk.engine.effects import CommitTrack
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness, Probe
from frontdesk.engine.testing.harness import OperatorHandle, VisitorHandle

SURROGATE = "hello \ud800 world"
POISONS = 20  # many more than max_restarts (5) and than an operator's capacity (3)


def _supervisor(h: EngineHarness) -> Any:
    ref = h.engine.directory.ref("supervisor")
    return ref._actor_weakref()


def _talking(h: EngineHarness) -> tuple[OperatorHandle, VisitorHandle, str]:
    ann = h.login("ann", capacity=3)
    vera = h.visitor("Vera")
    vera.open()
    return ann, vera, vera._need()


def _still_works(h: EngineHarness, ann: OperatorHandle, vera: VisitorHandle) -> None:
    """The dialog, its operator, the queue and the supervisor all still work."""
    d = vera._need()
    assert isinstance(vera.say("still here"), notices.Ack)
    assert isinstance(ann.say(vera, "me too"), notices.Ack)
    assert isinstance(vera.close(), notices.Ack)
    (op,) = [o for o in h.snapshot()["operators"] if o["id"] == ann.id]
    assert d not in op["dialogs"] and op["load"] == len(op["dialogs"])  # nothing pinned
    others = [h.visitor(f"V{i}") for i in range(3)]
    for v in others:
        v.open()
    (op,) = [o for o in h.snapshot()["operators"] if o["id"] == ann.id]
    assert op["load"] == op["capacity"] == len(ann.dialogs)  # routed up to its capacity
    assert not h.managers.of_type(notices.ActorFailed)
    assert _supervisor(h).given_up == {}


def _answers(p: Probe, count: int) -> list[notices.Rejected]:
    got = [p.expect((notices.Ack, notices.Rejected)) for _ in range(count)]
    assert all(isinstance(x, notices.Rejected) for x in got), got
    return [x for x in got if isinstance(x, notices.Rejected)]


def test_surrogates_are_refused_invalid_at_submit(harness: EngineHarness) -> None:
    ann, vera, d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):
        harness.engine.submit(commands.VisitorSay(d, vera.token_hash, SURROGATE, ref=f"s{i}"), p)
        harness.engine.submit(commands.OperatorSay("ann", d, SURROGATE, ref=f"o{i}"), p)
    harness.engine.submit(commands.OpenDialog("t", "Eve\udfff", ref="o"), p)
    harness.engine.submit(commands.OpenDialog("t", "Eve", (("plan", "\ud83d"),), ref="i"), p)
    harness.engine.submit(commands.Transfer("ann", d, "bob", SURROGATE, ref="t"), p)
    harness.engine.submit(commands.AskForHelp("ann", d, SURROGATE, ref="h"), p)
    harness.settle()
    refused = _answers(p, 2 * POISONS + 4)
    assert {x.code for x in refused} == {"invalid"}
    first = refused[0]
    assert (first.ref, first.dialog) == ("s0", d)
    assert first.message == (
        f"cannot send a message in dialog {d}: text holds a lone surrogate (U+D800 at index 6);"
        " expected text that UTF-8 can encode"
    )
    assert "info[0][1]" in refused[-3].message
    _still_works(harness, ann, vera)


def test_wrong_types_are_refused_invalid_at_submit(harness: EngineHarness) -> None:
    ann, vera, d = _talking(harness)
    p = harness.probe("answers")
    bad: list[commands.Command] = [
        commands.VisitorSay(d, vera.token_hash, None, ref="a"),  # type: ignore[arg-type]
        commands.SetStatus("ann", "bogus", ref="b"),  # type: ignore[arg-type]
        commands.SetCapacity("ann", "3", ref="c"),  # type: ignore[arg-type]
        commands.OpenDialog("t", info=5, ref="d"),  # type: ignore[arg-type]
        commands.OperatorLogin("bob", "Bob", capacity=True, ref="e"),
        commands.VisitorSay(d, vera.token_hash, "x", ref=7),  # type: ignore[arg-type]
    ]
    for cmd in bad:
        harness.engine.submit(cmd, p)
    harness.settle()
    refused = _answers(p, len(bad))
    assert {x.code for x in refused} == {"invalid"}
    assert refused[1].message == "cannot set the status: status: expected Status, got str 'bogus'"
    assert refused[5].ref is None or refused[5].ref == 7
    _still_works(harness, ann, vera)


def test_poison_past_submit_into_a_dialog_never_gives_it_up(harness: EngineHarness) -> None:
    ann, vera, d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):  # fails in decide: the state never moved
        cmd = commands.VisitorSay(d, vera.token_hash, None, ref=f"n{i}")  # type: ignore[arg-type]
        harness.engine.directory.send(f"dialog:{d}", messages.Inbound(cmd, p))
    harness.settle()
    refused = _answers(p, POISONS)
    assert {x.code for x in refused} == {"invalid"}
    assert "could not handle it" in refused[0].message and refused[0].dialog == d
    assert _supervisor(harness).restarts == {}  # refused, not crashed
    _still_works(harness, ann, vera)


def test_text_the_journal_cannot_store_is_refused_at_the_store(harness: EngineHarness) -> None:
    """Past submit, a surrogate reaches the dialog's state and its commit: the store refuses
    that commit alone, ``invalid``; the dialog is rebuilt from the journal, uncounted."""
    ann, vera, d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):
        cmd = commands.VisitorSay(d, vera.token_hash, SURROGATE, ref=f"x{i}")
        harness.engine.directory.send(f"dialog:{d}", messages.Inbound(cmd, p))
        harness.settle()
    refused = _answers(p, POISONS)
    assert {x.code for x in refused} == {"invalid"}, refused
    assert refused[0].message.startswith(f"cannot store event dialog.message of dialog:{d}: ")
    assert "lone surrogate (U+D800" in refused[0].message
    assert all(x.ref == f"x{i}" for i, x in enumerate(refused))
    assert not vera.probe.of_type(notices.MessagePosted)  # nothing of it was published
    assert not harness.managers.of_type(notices.ActorFailed)
    _still_works(harness, ann, vera)
    seqs = [x.seq for x in vera.probe.of_type(notices.DialogNotice)]
    assert seqs == sorted(set(seqs)) and seqs == list(range(1, len(seqs) + 1))  # no gap


def test_a_refused_commit_does_not_fail_the_rest_of_its_batch(harness: EngineHarness) -> None:
    ann, vera, d = _talking(harness)
    wendy = harness.visitor("Wendy")
    wendy.open()
    p = harness.probe("answers")
    harness.hold("store")  # both commits wait: they go in one batch
    bad = commands.VisitorSay(d, vera.token_hash, SURROGATE, ref="bad")
    harness.engine.directory.send(f"dialog:{d}", messages.Inbound(bad, p))
    harness.engine.submit(commands.VisitorSay(wendy._need(), wendy.token_hash, "fine", ref="ok"), p)
    harness.settle()
    harness.release("store")
    got = {x.ref: x for x in (p.expect((notices.Ack, notices.Rejected)) for _ in range(2))}
    assert isinstance(got["ok"], notices.Ack) and isinstance(got["bad"], notices.Rejected)
    assert got["bad"].code == "invalid"
    wendy.probe.expect({"type": "dialog.message", "text": "fine"})
    _still_works(harness, ann, vera)


def test_a_poison_commit_to_the_store_itself(harness: EngineHarness) -> None:
    """A commit built by hand (no actor's memory behind it) with an event the journal
    cannot store: refused alone, the store goes on."""
    ann, vera, d = _talking(harness)
    p = harness.probe("answers")
    e = events.MessagePosted(
        dialog=d, at=0.0, seq=99, author="visitor", name="x", text=SURROGATE, ref="h"
    )
    ack = messages.Reply(p, notices.Ack("h", d, 99))
    commit = messages.Commit(f"dialog:{d}", (e,), (ack,), ((p, "h"),), CommitTrack())
    for _ in range(POISONS):
        harness.engine.directory.send("store", commit, f"dialog:{d}")
        harness.settle()
    refused = _answers(p, POISONS)
    assert {x.code for x in refused} == {"invalid"}
    _still_works(harness, ann, vera)


def test_poison_into_an_operator_never_gives_it_up(harness: EngineHarness) -> None:
    ann, vera, _d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):
        cmd = commands.SetStatus("ann", "bogus", ref=f"s{i}")  # type: ignore[arg-type]
        harness.engine.directory.send("operator:ann", messages.Inbound(cmd, p))
        cap = commands.SetCapacity("ann", "many", ref=f"c{i}")  # type: ignore[arg-type]
        harness.engine.directory.send("operator:ann", messages.Inbound(cap, p))
    harness.settle()
    refused = _answers(p, 2 * POISONS)
    assert {x.code for x in refused} == {"invalid"}
    assert _supervisor(harness).restarts == {}
    assert isinstance(ann.set_status(Status.ON_BREAK), notices.Ack)
    assert isinstance(ann.set_status(Status.CONNECTED), notices.Ack)
    _still_works(harness, ann, vera)


def test_poison_into_the_supervisor(harness: EngineHarness) -> None:
    ann, vera, _d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):
        opening = commands.OpenDialog(["unhashable"], ref=f"o{i}")  # type: ignore[arg-type]
        harness.engine.directory.send("supervisor", messages.Inbound(opening, p))
        info = commands.OpenDialog(f"t{i}", info=5, ref=f"i{i}")  # type: ignore[arg-type]
        harness.engine.directory.send("supervisor", messages.Inbound(info, p))
        login = commands.OperatorLogin("bob", "Bob", capacity="x", ref=f"l{i}")  # type: ignore[arg-type]
        harness.engine.directory.send("supervisor", messages.Inbound(login, p))
    harness.settle()
    refused = _answers(p, 3 * POISONS)
    assert {x.code for x in refused} == {"invalid"}
    # nothing was half done: the next dialog takes the next number, bob logs in
    nora = harness.visitor("Nora")
    assert nora.open().dialog == "d-2"
    harness.login("bob", status=Status.ON_BREAK)
    _still_works(harness, ann, vera)


def test_an_open_the_journal_cannot_store_opens_nothing(harness: EngineHarness) -> None:
    """Past submit, an open whose name cannot be stored: refused ``invalid`` at the store;
    the dialog actor the supervisor started for it retires, nothing is queued or pinned."""
    ann, vera, _d = _talking(harness)
    p = harness.probe("answers")
    for i in range(POISONS):
        opening = commands.OpenDialog(f"tok{i}", f"Eve \udfff {i}", ref=f"o{i}")
        harness.engine.directory.send("supervisor", messages.Inbound(opening, p))
        harness.settle()
    refused = _answers(p, POISONS)
    assert {x.code for x in refused} == {"invalid"}
    assert harness.addresses("dialog:") == [f"dialog:{vera._need()}"]
    assert harness.snapshot()["queue"] == []
    assert _supervisor(harness).open_tokens == {vera.token_hash: vera._need()}
    _still_works(harness, ann, vera)


@pytest.mark.allow_error_logs  # each crash of the queue is logged (it is a real crash)
def test_poison_into_the_queue_never_gives_it_up() -> None:
    cfg = EngineSettings(max_restarts=2, max_restarts_within_s=60)
    with EngineHarness(cfg) as h:
        ann, vera, _d = _talking(h)
        for _ in range(POISONS):  # an internal message with a value the queue cannot use
            h.engine.directory.send("queue", messages.Enqueue("d-404", "not a number", None))  # type: ignore[arg-type]
            h.settle()
        assert h.engine.directory.state("queue") == "live"
        assert not h.managers.of_type(notices.ActorFailed)
        _still_works(h, ann, vera)


def test_a_given_up_operator_is_logged_out_and_its_dialogs_requeued() -> None:
    cfg = EngineSettings(max_restarts=2, max_restarts_within_s=60)
    with EngineHarness(cfg) as h:
        ann = h.login("ann", capacity=3)
        bob = h.login("bob", capacity=3, status=Status.ON_BREAK)
        vera = h.visitor("Vera")
        vera.open()
        assert ann.dialogs == [vera._need()]
        h.inject_crash("operator:ann", times=1)
        h.inject_crash("operator:ann", in_start=True, times=2)  # both restarts: given up
        ann.set_status(Status.PHONE)  # crashes it; its restarts crash too: given up
        h.settle()
        report = h.managers.expect(notices.ActorFailed)
        assert isinstance(report, notices.ActorFailed) and report.address == "operator:ann"
        requeued = vera.probe.expect(notices.DialogRequeued)
        assert isinstance(requeued, notices.DialogRequeued) and requeued.operator == "ann"
        ops = {o["id"]: o for o in h.snapshot()["operators"]}
        assert "ann" not in ops  # logged out: nothing of its capacity is pinned
        assert isinstance(bob.set_status(Status.CONNECTED), notices.Ack)
        assert bob.dialogs == [vera._need()]
        again = h.login("ann", capacity=3)  # and ann may log in again
        assert again.dialogs == []
        assert {o["id"]: o["load"] for o in h.snapshot()["operators"]} == {"ann": 0, "bob": 1}
