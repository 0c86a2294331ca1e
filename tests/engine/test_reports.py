"""Reports (engine/reports.py) against a hand-built journal: first response, handling,
transfers, help requests, time in status across midnight and across a range."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.engine import events as engine_events
from frontdesk.engine.day_figures import DAY_S
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.reports import CSV_HEADER, STATUSES, csv_rows, reads, report
from tests.engine.test_day_figures import evening, harness

DAY = 19_700 * DAY_S  # a UTC midnight
H = 3600.0


def opened(d: str, at: float) -> engine_events.DialogOpened:
    return engine_events.DialogOpened(dialog=d, at=at, seq=1, number=1, token_hash="t",
                                      visitor_name="V")


def assigned(d: str, op: str, at: float) -> engine_events.DialogAssigned:
    return engine_events.DialogAssigned(dialog=d, at=at, seq=2, operator=op,
                                        operator_name=op.title())


def said(d: str, at: float, author: str = "operator",
         op: str | None = None) -> engine_events.MessagePosted:
    return engine_events.MessagePosted(dialog=d, at=at, seq=3, author=author, name="x", text="hi",
                              operator=op)


def moved(d: str, src: str, dst: str, at: float) -> engine_events.DialogTransferred:
    return engine_events.DialogTransferred(dialog=d, at=at, seq=4, from_operator=src,
                                  from_name=src.title(), to_operator=dst, to_name=dst.title())


def closed(d: str, at: float) -> engine_events.DialogClosed:
    return engine_events.DialogClosed(dialog=d, at=at, seq=9, by="operator", reason="")


def login(op: str, at: float, status: str = "connected") -> engine_events.OperatorLoggedIn:
    return engine_events.OperatorLoggedIn(operator=op, at=at, name=op.title(), status=status)


def status(op: str, at: float, value: str) -> engine_events.StatusSet:
    return engine_events.StatusSet(operator=op, at=at, status=value)


def one(r: Any, op: str) -> dict[str, Any]:
    return next(o for o in r.to_json()["operators"] if o["id"] == op)


def a_day() -> list[engine_events.Event]:
    """Ann (09:00) answers d1 in 20 s and closes it at 09:10; answers d2 in 60 s and
    transfers it to Bob at 09:30, who answers in 5 s and closes at 09:40; Ann asks for
    help on d3, which a manager answers (not a first response of hers)."""
    t = DAY + 9 * H
    return [
        login("ann", t), login("bob", t, "on_break"),
        opened("d1", t + 10), assigned("d1", "ann", t + 10),
        said("d1", t + 15, "visitor"), said("d1", t + 30, op="ann"), said("d1", t + 40, op="ann"),
        closed("d1", t + 600),
        opened("d2", t + 700), assigned("d2", "ann", t + 700), said("d2", t + 760, op="ann"),
        status("bob", t + 1000, "connected"),
        moved("d2", "ann", "bob", t + 1800), said("d2", t + 1805, op="bob"),
        closed("d2", t + 2400),
        opened("d3", t + 2500), assigned("d3", "ann", t + 2500),
        engine_events.HelpRequested(dialog="d3", at=t + 2510, seq=3, operator="ann", text="help"),
        said("d3", t + 2520, "manager"),
    ]  # fmt: skip


def test_first_response_handling_transfers_and_help() -> None:
    r = report(a_day(), DAY, DAY + DAY_S, DAY + 10 * H)
    ann, bob = one(r, "ann"), one(r, "bob")
    assert ann["name"] == "Ann" and ann["dialogs"] == 3 and bob["dialogs"] == 1
    assert ann["first_response"] == {"count": 2, "mean_s": 40.0, "median_s": 40.0,
                                     "total_s": 80.0}  # 20 s and 60 s; d3 unanswered by her
    assert bob["first_response"]["mean_s"] == 5.0  # from the transfer
    # handling: d1 590 s, d2 1100 s (to the transfer away); d3 still held: no sample
    assert ann["handling"] == {"count": 2, "mean_s": 845.0, "median_s": 845.0,
                               "total_s": 1690.0}
    assert bob["handling"]["mean_s"] == 600.0
    assert (ann["transfers_out"], ann["transfers_in"]) == (1, 0)
    assert (bob["transfers_out"], bob["transfers_in"]) == (0, 1)
    assert ann["help_requests"] == 1 and bob["help_requests"] == 0
    total = r.to_json()["total"]
    assert total["dialogs"] == 4 and total["transfers_in"] == total["transfers_out"] == 1
    assert total["first_response"]["count"] == 3
    assert total["first_response"]["median_s"] == 20.0  # of 5, 20, 60
    assert r.to_json()["opened"] == 3 and r.to_json()["closed"] == 2


def test_time_in_status_up_to_now_and_clipped_to_the_period() -> None:
    r = report(a_day(), DAY, DAY + DAY_S, DAY + 10 * H)  # read at 10:00
    assert one(r, "ann")["status_s"]["connected"] == H
    assert one(r, "bob")["status_s"]["on_break"] == 1000
    assert one(r, "bob")["status_s"]["connected"] == H - 1000
    assert set(one(r, "ann")["status_s"]) == set(STATUSES)  # every status, zeros too


def test_status_across_midnight_and_a_range() -> None:
    """Cid connects at 22:00 on day 1, takes a break at 02:00 on day 2, logs out at 03:00."""
    events = [
        login("cid", DAY + 22 * H),
        status("cid", DAY + DAY_S + 2 * H, "on_break"),
        engine_events.OperatorLoggedOut(operator="cid", at=DAY + DAY_S + 3 * H),
    ]
    now = DAY + 3 * DAY_S
    first = report(events, DAY, DAY + DAY_S, now)
    assert one(first, "cid")["status_s"]["connected"] == 2 * H  # 22:00 to midnight
    second = report(events, DAY + DAY_S, DAY + 2 * DAY_S, now)
    assert one(second, "cid")["status_s"]["connected"] == 2 * H  # midnight to 02:00
    assert one(second, "cid")["status_s"]["on_break"] == H
    both = report(events, DAY, DAY + 2 * DAY_S, now)
    assert one(both, "cid")["status_s"]["connected"] == 4 * H
    assert report(events, DAY + 2 * DAY_S, DAY + 3 * DAY_S, now).operators == []


def test_a_dialog_taken_before_the_period_counts_in_none_of_its_figures() -> None:
    """Taken yesterday, answered and closed today: no dialog, no sample today; an event
    after the period still ends a taking of the period."""
    events = [
        assigned("d1", "ann", DAY - 60), said("d1", DAY + 30, op="ann"), closed("d1", DAY + 90),
        assigned("d2", "ann", DAY + DAY_S - 10), said("d2", DAY + DAY_S + 20, op="ann"),
        closed("d2", DAY + DAY_S + 50),
    ]
    r = report(events, DAY, DAY + DAY_S, DAY + 2 * DAY_S)
    ann = one(r, "ann")
    assert ann["dialogs"] == 1
    assert ann["first_response"]["mean_s"] == 30.0 and ann["handling"]["mean_s"] == 60.0


def test_requeue_ends_a_handling_and_the_next_taking_is_measured_afresh() -> None:
    t = DAY + H
    events = [
        assigned("d1", "ann", t),
        engine_events.DialogRequeued(dialog="d1", at=t + 100, seq=3, operator="ann",
                                     reason="logout"),
        assigned("d1", "bob", t + 200), said("d1", t + 210, op="ann"),  # not the holder
        said("d1", t + 230, op="bob"),
    ]
    r = report(events, DAY, DAY + DAY_S, t + 300)
    assert one(r, "ann")["handling"]["mean_s"] == 100.0
    assert one(r, "ann")["first_response"]["count"] == 0
    assert one(r, "bob")["first_response"]["mean_s"] == 30.0
    assert one(r, "bob")["handling"]["count"] == 0  # still held


def test_the_events_of_a_journal_give_the_same_report() -> None:
    journal = MemoryJournal()
    journal.append([engine_events.to_new_event(e) for e in a_day()], epoch=1)
    read = [engine_events.from_record(rec) for rec in journal.read() if reads(rec)]
    assert len(read) < len(a_day())  # the visitor's and the manager's messages are skipped
    now = DAY + 10 * H
    assert report(read, DAY, DAY + DAY_S, now).to_json() == \
        report(a_day(), DAY, DAY + DAY_S, now).to_json()


def test_csv_rows_one_per_operator_and_a_total() -> None:
    rows = csv_rows(report(a_day(), DAY, DAY + DAY_S, DAY + 10 * H))
    assert rows[0] == list(CSV_HEADER)
    assert [row[0] for row in rows[1:]] == ["ann", "bob", "total"]
    ann = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert ann["dialogs"] == "3" and ann["first_response_mean_s"] == "40.0"
    assert ann["status_connected_s"] == "3600.0" and ann["help_requests"] == "1"
    bob = dict(zip(CSV_HEADER, rows[2], strict=True))
    assert bob["handling_median_s"] == "600.0"
    total = dict(zip(CSV_HEADER, rows[3], strict=True))
    assert total["name"] == "Total" and total["dialogs"] == "4"


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        report([], DAY, DAY, DAY)


def test_todays_report_agrees_with_the_live_figures() -> None:
    """The same journal, two folds: the report of today and the manager's live figures
    (engine/day_figures.py) count the same dialogs and the same time in each status."""
    with harness() as h:
        ann, _, vera, _ = evening(h)
        ann.say(vera, "here I am")
        h.advance(15)
        h.settle()
        now = h.clock.now()
        live = h.engine.figures()
        start = live["day_start"]
        made = report((engine_events.from_record(r) for r in h.journal.read()), start,
                      start + DAY_S, now)
        for o in live["operators"]:
            reported = one(made, o["id"])
            assert reported["dialogs"] == o["dialogs_today"]
            spent = {k: v for k, v in reported["status_s"].items() if v}
            assert spent == o["status_today_s"]
        assert one(made, "ann")["first_response"]["count"] == 1
