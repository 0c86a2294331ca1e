"""engine/history.py: a dialog's entries held once, appended without a copy."""

from __future__ import annotations

import pytest

from frontdesk.engine import dialog_state, events, notices
from frontdesk.engine.history import NO_HISTORY, History


def said(seq: int, text: str = "hi") -> notices.MessagePosted:
    return notices.MessagePosted("d-1", seq, float(seq), "visitor", "Vera", text, None)


def opened_state() -> dialog_state.DialogState:
    return dialog_state.opened(
        events.DialogOpened(
            at=0.0, dialog="d-1", seq=1, number=1, token_hash="hash", visitor_name="Vera"
        )
    )


def message(seq: int) -> events.MessagePosted:
    return events.MessagePosted(
        at=float(seq), dialog="d-1", seq=seq, author="visitor", name="Vera", text="hi"
    )


def test_successive_states_share_one_list_and_each_sees_its_own_length() -> None:
    s = opened_state()
    states = [s]
    for seq in range(2, 5_002):
        s = dialog_state.apply(s, message(seq))
        states.append(s)
    assert len(s.history) == 5_001 and s.seq == 5_001
    assert all(x.history._entries is s.history._entries for x in states)  # held once
    assert [len(x.history) for x in states[:3]] == [1, 2, 3]
    assert [h.seq for h in states[2].history] == [1, 2, 3]


def test_appending_to_an_older_state_copies_its_prefix_and_leaves_the_newer_alone() -> None:
    h1 = History([said(1)])
    h2 = h1.appended(said(2, "newer"))
    fork = h1.appended(said(2, "other"))
    assert [x.text for x in h2 if isinstance(x, notices.MessagePosted)] == ["hi", "newer"]
    assert [x.text for x in fork if isinstance(x, notices.MessagePosted)] == ["hi", "other"]
    assert len(h1) == 1 and list(h1) == [said(1)]


def test_after_gives_the_entries_past_a_seq() -> None:
    h = History([said(i) for i in range(1, 11)])
    assert [x.seq for x in h.after(7)] == [8, 9, 10]
    assert [x.seq for x in h.after(0)] == list(range(1, 11))
    assert list(h.after(10)) == []
    shorter = History([said(i) for i in range(1, 4)])
    longer = shorter.appended(said(4))
    assert [x.seq for x in shorter.after(1)] == [2, 3]  # not the entry appended after it
    assert [x.seq for x in longer.after(1)] == [2, 3, 4]


def test_indexing_and_equality_are_those_of_the_entries_seen() -> None:
    h = History([said(1), said(2)])
    longer = h.appended(said(3))
    assert h[-1] == said(2) and longer[-1] == said(3)
    assert h[0:5] == (said(1), said(2))
    with pytest.raises(IndexError, match="history index 2 out of range"):
        h[2]
    assert h == History([said(1), said(2)]) and h != longer


def test_a_summary_keeps_no_entries() -> None:
    s = dialog_state.summary(dialog_state.apply(opened_state(), message(2)))
    assert s.history is NO_HISTORY and s.seq == 2
    assert dialog_state.apply(s, message(3)).history is NO_HISTORY
    assert len(NO_HISTORY.appended(said(1))) == 0
