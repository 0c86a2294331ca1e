"""Resume cursors are (epoch, seq): a cursor on a tail this node does not hold is told.

Node "b" holds entries 1-3 of d-1 from epoch 1 and, after a failover that discarded the
old primary's entries 4-5, its own entries 4-5 of epoch 2. A client that saw the old
primary's 1-5 (cursor (1, 5)) is told ``dialog.discontinuity`` after seq 3 and replayed
b's 4 and 5; a cursor that is b's history is replayed as before.
"""

from __future__ import annotations

from frontdesk.engine import events, notices
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.replay import fold
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing.probe import Probe


def said(seq: int, text: str) -> events.Event:
    return events.MessagePosted(dialog="d-1", at=1.0, seq=seq, author="visitor", name="V",
                              text=text)


def node_b() -> MemoryJournal:
    j = MemoryJournal()
    opened = events.DialogOpened(dialog="d-1", at=1.0, seq=1, number=1, token_hash="t",
                               visitor_name="V")
    j.append([events.to_new_event(e) for e in (opened, said(2, "two"), said(3, "three"))], 1)
    j.raise_epoch(2)
    j.append([events.to_new_event(e) for e in (said(4, "four on b"), said(5, "five on b"))], 2)
    return j


def replay_to(engine: Engine, after_seq: int, after_epoch: int | None) -> Probe:
    p = Probe("visitor")
    engine.watch_dialog("d-1", p, after_seq=after_seq, token_hash="t", after_epoch=after_epoch)
    return p


def test_the_fold_knows_each_entrys_epoch() -> None:
    f = fold(node_b().read(), 3)
    assert f.epochs["d-1"] == ((1, 1, 3), (2, 4, 5))
    assert [f.entry_epoch("d-1", s) for s in (1, 3, 4, 5, 6)] == [1, 1, 2, 2, None]
    assert f.resume_point("d-1", 1, 3) is None and f.resume_point("d-1", 2, 5) is None
    assert f.resume_point("d-1", 1, 5) == 3  # the old primary's 4-5: discarded
    assert f.resume_point("d-1", 1, 9) == 3
    assert f.resume_point("d-1", 7, 4) == 0  # an epoch this node never held: all again
    assert f.resume_point("d-9", 1, 5) is None  # not known here: the watch says so


def test_a_cursor_on_a_discarded_tail_is_told_and_replayed_from_where_it_holds() -> None:
    engine = Engine(EngineSettings(), node_b(), ManualClock()).start()
    try:
        p = replay_to(engine, 5, 1)
        assert p.expect_next(notices.DialogDiscontinuity) == notices.DialogDiscontinuity("d-1", 5,
                                                                                         3, 2)
        four = p.expect_next(notices.MessagePosted)
        five = p.expect_next(notices.MessagePosted)
        assert (four.seq, four.text, five.seq, five.text) == (4, "four on b", 5, "five on b")
        assert engine.entry_epoch("d-1", 4) == 2 and engine.entry_epoch("d-1", 2) == 1
    finally:
        engine.stop()


def test_a_cursor_of_this_nodes_history_is_replayed_as_before() -> None:
    engine = Engine(EngineSettings(), node_b(), ManualClock()).start()
    try:
        p = replay_to(engine, 3, 1)
        assert p.expect_next(notices.MessagePosted).seq == 4
        p.expect_no(notices.DialogDiscontinuity)
        q = replay_to(engine, 5, None)  # no epoch: unchecked, as before
        q.expect_no(notices.DialogDiscontinuity)
    finally:
        engine.stop()
