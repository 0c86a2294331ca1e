"""The read model of reports (engine/report_facts.py) against the reference fold: random
event sequences, folded once, give for random periods exactly the report that folding
every event for that period gives (engine/testing/report_reference.py)."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

from frontdesk.engine import events as engine_events
from frontdesk.engine.report_facts import ReportFacts
from frontdesk.engine.testing.report_reference import reference_report

OPS = ("ann", "bob", "cid")
DIALOGS = ("d1", "d2", "d3", "d4")
NAMES = ("", "Ann", "Annie", "Bob", "Cid")
T0 = 1_700_000_000.0


def _event(kind: int, at: float, *, op: str, other: str, dialog: str, name: str, author: str,
           status: str) -> engine_events.Event:
    if kind == 0:
        return engine_events.DialogOpened(dialog=dialog, at=at, seq=1, number=1,
                                          token_hash="t", visitor_name="V")
    if kind == 1:
        return engine_events.DialogAssigned(dialog=dialog, at=at, seq=2, operator=op,
                                            operator_name=name)
    if kind == 2:
        return engine_events.DialogTransferred(dialog=dialog, at=at, seq=3, from_operator=op,
                                               from_name=name, to_operator=other,
                                               to_name=name.upper())
    if kind == 3:
        return engine_events.DialogRequeued(dialog=dialog, at=at, seq=4, operator=op,
                                            reason="logout")
    if kind == 4:
        return engine_events.DialogClosed(dialog=dialog, at=at, seq=5, by="visitor", reason="")
    if kind in (5, 6, 7):
        return engine_events.MessagePosted(dialog=dialog, at=at, seq=6, author=author,
                                           name="x", text="hi", operator=op)
    if kind == 8:
        return engine_events.HelpRequested(dialog=dialog, at=at, seq=7, operator=op, text="?")
    if kind == 9:
        return engine_events.OperatorLoggedIn(operator=op, at=at, name=name, status=status)
    if kind == 10:
        return engine_events.StatusSet(operator=op, at=at, status=status)
    return engine_events.OperatorLoggedOut(operator=op, at=at)


@st.composite
def journals(draw: st.DrawFn, ordered: bool) -> list[engine_events.Event]:
    """Events of a few operators and dialogs; times in order (a real clock) or not."""
    n = draw(st.integers(0, 60))
    at = T0
    made: list[engine_events.Event] = []
    for _ in range(n):
        step = draw(st.floats(0, 4000) if ordered else st.floats(-3000, 4000))
        at += step
        made.append(_event(
            draw(st.integers(0, 11)), at, op=draw(st.sampled_from(OPS)),
            other=draw(st.sampled_from(OPS)), dialog=draw(st.sampled_from(DIALOGS)),
            name=draw(st.sampled_from(NAMES)),
            author=draw(st.sampled_from(("operator", "operator", "visitor", "manager"))),
            status=draw(st.sampled_from(("connected", "on_break", "away")))))
    return made


periods = st.tuples(st.floats(-20_000, 200_000), st.floats(1, 200_000), st.floats(-1, 300_000))


def _same(events: list[engine_events.Event], asked: list[tuple[float, float, float]]) -> None:
    facts = ReportFacts()
    for e in events:
        facts.apply(e)
    for offset, length, later in asked:
        start = T0 + offset
        end, now = start + length, T0 + later
        assert facts.report(start, end, now).to_json() == \
            reference_report(events, start, end, now).to_json(), (start, end, now)


@settings(max_examples=200, deadline=None)
@given(journals(ordered=True), st.lists(periods, min_size=1, max_size=4))
def test_a_clock_in_order_gives_the_reference_figures(
    events: list[engine_events.Event], asked: list[tuple[float, float, float]]
) -> None:
    _same(events, asked)


@settings(max_examples=200, deadline=None)
@given(journals(ordered=False), st.lists(periods, min_size=1, max_size=4))
def test_a_clock_that_goes_back_still_gives_the_reference_figures(
    events: list[engine_events.Event], asked: list[tuple[float, float, float]]
) -> None:
    _same(events, asked)


@settings(max_examples=100, deadline=None)
@given(journals(ordered=True), st.integers(0, 60), periods)
def test_facts_folded_in_two_goes_are_the_facts_folded_in_one(
    events: list[engine_events.Event], cut: int, asked: tuple[float, float, float]
) -> None:
    """What a repeated report does: a report, more events, the report again."""
    facts = ReportFacts()
    offset, length, later = asked
    start, end, now = T0 + offset, T0 + offset + length, T0 + later
    for e in events[:cut]:
        facts.apply(e)
    assert facts.report(start, end, now).to_json() == \
        reference_report(events[:cut], start, end, now).to_json()
    for e in events[cut:]:
        facts.apply(e)
    assert facts.report(start, end, now).to_json() == \
        reference_report(events, start, end, now).to_json()


def test_the_facts_kept_grow_with_the_takings_not_the_messages() -> None:
    facts = ReportFacts()
    facts.apply(engine_events.DialogAssigned(dialog="d1", at=T0, seq=2, operator="ann",
                                             operator_name="Ann"))
    before = facts.size()
    for i in range(1000):
        facts.apply(engine_events.MessagePosted(dialog="d1", at=T0 + i, seq=3 + i,
                                                author="operator", name="Ann", text="hi",
                                                operator="ann"))
    assert facts.size() == before == {**before, "takings": 1, "holding": 1}


def test_a_time_that_is_no_number_counts_in_no_period_and_breaks_nothing() -> None:
    nan = float("nan")
    events: list[engine_events.Event] = [
        engine_events.OperatorLoggedIn(operator="ann", at=T0, name="Ann"),
        engine_events.DialogAssigned(dialog="d1", at=nan, seq=2, operator="ann",
                                     operator_name="Ann"),
        engine_events.StatusSet(operator="ann", at=nan, status="on_break"),
        engine_events.DialogAssigned(dialog="d2", at=T0 + 10, seq=2, operator="ann",
                                     operator_name="Ann"),
        engine_events.DialogClosed(dialog="d1", at=T0 + 20, seq=3, by="visitor", reason=""),
    ]
    _same(events, [(-100.0, 1000.0, 500.0), (5.0, 10.0, 30.0)])
