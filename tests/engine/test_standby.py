"""The hot standby and checkpoints build the state a full replay builds.

A primary engine (the harness, on a memory journal) runs a random sequence of commands;
its records are "replicated" to a ``Standby`` in batches of random sizes as they are
appended. The standby's live Fold must equal a full replay of the journal, and an engine
promoted from it (``Engine(fold=...)``) must replay nothing and show what an engine
started by a full replay shows. A checkpoint cut at a random seq, decoded and caught up
with the tail, must equal the full replay too.
"""

from __future__ import annotations

import copy
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from frontdesk.engine import checkpoint, commands
from frontdesk.engine.journal import MemoryJournal, Record
from frontdesk.engine.replay import Fold, catch_up, fits, fold, restore_histories
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.standby import Standby
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness

OPERATORS = ("ann", "bob")
CONFIG = EngineSettings(max_restarts=10_000, visitor_inactivity_timeout_s=0)

step = st.one_of(
    st.tuples(st.just("login"), st.sampled_from(OPERATORS), st.integers(0, 3)),
    st.tuples(st.just("logout"), st.sampled_from(OPERATORS), st.just(0)),
    st.tuples(st.just("status"), st.sampled_from(OPERATORS), st.integers(0, len(Status) - 1)),
    st.tuples(st.just("open"), st.just(""), st.integers(0, 2)),
    st.tuples(st.just("say"), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("op_say"), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("transfer"), st.sampled_from(OPERATORS), st.integers(0, 50)),
    st.tuples(st.just("close"), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("important"), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("replicate"), st.just(""), st.integers(1, 40)),
)


def state(f: Fold) -> dict[str, Any]:
    return {k: v for k, v in vars(f).items()}


class Primary:
    """The harness driven by steps, and what it has replicated to its standby so far."""

    def __init__(self, h: EngineHarness, standby: Standby) -> None:
        self.h = h
        self.standby = standby
        self.tokens: dict[str, str] = {}
        self.sent = 0

    def replicate(self, at_most: int) -> None:
        journal = self.h.journal
        batch: list[Record] = list(journal.read(self.sent))[:at_most]
        if batch:
            self.standby.apply(batch)
            self.sent = batch[-1].seq

    def run(self, kind: str, who: str, n: int) -> None:
        h = self.h
        dialogs = h.snapshot()["dialogs"]
        pick = dialogs[n % len(dialogs)] if dialogs else None
        if kind == "login":
            h.engine.submit(commands.OperatorLogin(who, who.capitalize(), n))
        elif kind == "logout":
            h.engine.submit(commands.OperatorLogout(who))
        elif kind == "status":
            h.engine.submit(commands.SetStatus(who, list(Status)[n]))
        elif kind == "open":
            token = f"t{len(self.tokens)}"
            probe = h.probe()
            h.engine.submit(commands.OpenDialog(token, "V", priority=n), probe)
            h.settle()
            dialog = getattr(probe.received[0], "dialog", None)
            if dialog is not None:
                self.tokens[dialog] = token
        elif kind == "replicate":
            self.replicate(n)
        elif pick is None:
            return
        elif kind == "say":
            h.engine.submit(commands.VisitorSay(pick["id"], self.tokens[pick["id"]], f"m{n}"))
        elif kind == "op_say" and pick["operator"]:
            h.engine.submit(commands.OperatorSay(pick["operator"], pick["id"], f"o{n}"))
        elif kind == "transfer" and pick["operator"]:
            h.engine.submit(commands.Transfer(pick["operator"], pick["id"], who, "over"))
        elif kind == "important" and pick["operator"]:
            h.engine.submit(commands.MarkImportant(pick["operator"], pick["id"], True))
        elif kind == "close":
            h.engine.submit(commands.VisitorClose(pick["id"], self.tokens[pick["id"]]))
        h.settle()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=40), cut=st.integers(0, 10_000))
def test_live_standby_and_checkpoint_plus_tail_equal_a_full_replay(
    steps: list[tuple[str, str, int]], cut: int
) -> None:
    journal = MemoryJournal()
    standby = Standby(Fold(CONFIG.default_capacity))
    with EngineHarness(CONFIG, journal=journal) as h:
        primary = Primary(h, standby)
        for kind, who, n in [("login", "ann", 2), ("open", "", 0), *steps]:
            primary.run(kind, who, n)
        h.settle()
        primary.replicate(10**9)  # the rest of the journal
        primary_fold = h.engine.projection._fold  # the state under test (summaries)
        primary_snapshot = h.snapshot()
    full = fold(journal.read(), CONFIG.default_capacity)
    assert full.last_seq == journal.last()[1] > 0
    # (a) the standby's live state is the replay's, and the primary's own
    assert standby.last_seq() == full.last_seq
    assert standby.applied == full.last_seq
    live = standby.take()
    assert state(live) == state(full)
    assert state(summarised(live)) == state(primary_fold)  # what the primary's projection holds
    # an engine promoted from it replays nothing and shows what a full replay shows
    promoted = Engine(CONFIG, journal, h.clock, fold=live).start()
    try:
        assert promoted.replayed == 0
        assert _comparable(promoted.snapshot()) == _comparable(primary_snapshot)
    finally:
        promoted.stop()
    # (b) a checkpoint at a random seq, plus the tail, is the replay too
    at = cut % (full.last_seq + 1)
    head = fold((r for r in journal.read() if r.seq <= at), CONFIG.default_capacity)
    restored = checkpoint.decode(checkpoint.encode(head))  # summaries ...
    assert fits(restored, journal) and not restored.histories
    restore_histories(restored, journal)  # ... whose histories are read back
    assert catch_up(restored, journal) == full.last_seq - at
    assert state(restored) == state(full)


def summarised(f: Fold) -> Fold:
    g = copy.copy(f)
    g.summarise()
    return g


def _comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without what depends on the reading time or the node."""
    out = {k: v for k, v in snapshot.items() if k != "node"}
    out["operators"] = [
        {k: v for k, v in o.items() if k != "time_in_status_s"} for o in out["operators"]
    ]
    timed = ("waiting_s", "unanswered_s", "queued_s")
    out["dialogs"] = [{k: v for k, v in d.items() if k not in timed} for d in out["dialogs"]]
    return out


def test_replicated_records_sent_twice_are_folded_once() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        h.visitor("V").open()
        h.login("ann")
    records = list(journal.read())
    standby = Standby(Fold(3))
    standby.apply(records)
    standby.apply(records[1:])  # a resend after a reconnect
    assert standby.applied == len(records)
    assert state(standby.take()) == state(fold(records, 3))


def test_a_fold_of_another_history_does_not_fit_and_the_engine_replays_in_full() -> None:
    journal = MemoryJournal()
    with EngineHarness(journal=journal) as h:
        h.visitor("V").open()
        h.login("ann")
    other = fold(journal.read(), 3)
    other.epoch = 7  # the same seq written under another epoch: another history
    assert not fits(other, journal)
    ahead = fold(journal.read(), 3)
    ahead.last_seq += 5
    assert not fits(ahead, journal)
    engine = Engine(EngineSettings(), journal, h.clock, fold=other).start()
    try:
        assert engine.replayed == journal.last()[1]
        assert [d["id"] for d in engine.snapshot()["dialogs"]] == ["d-1"]
    finally:
        engine.stop()
