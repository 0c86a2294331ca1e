"""Events to and from journal records: round trip, versions, upcasters."""

from __future__ import annotations

import json

import pytest

from frontdesk.engine import events
from frontdesk.engine.errors import JournalError
from frontdesk.engine.history import entry as history_entry
from frontdesk.engine.journal import Record
from frontdesk.engine.notices import MessagePosted

SAMPLES: list[events.Event] = [
    events.DialogOpened(
        dialog="d-1",
        at=1.0,
        seq=1,
        number=1,
        token_hash="h",
        visitor_name="V",
        info={"page": "/"},
        priority=2,
    ),
    events.DialogAssigned(dialog="d-1", at=2.0, seq=2, operator="ann", operator_name="Ann"),
    events.MessagePosted(dialog="d-1", at=3.0, seq=3, author="visitor", name="V", text="hi",
                         ref="r"),
    events.DialogTransferred(
        dialog="d-1",
        at=4.0,
        seq=4,
        from_operator="ann",
        from_name="Ann",
        to_operator="bob",
        to_name="Bob",
        note="n",
    ),
    events.DialogRequeued(dialog="d-1", at=5.0, seq=5, operator="bob", reason="gone"),
    events.LookingForInfo(dialog="d-1", at=6.0, seq=6, operator_name="Bob", reminder=True),
    events.ImportantMarked(dialog="d-1", at=7.0, seq=7, important=True),
    events.HelpRequested(dialog="d-1", at=8.0, seq=8, operator="bob", text="?"),
    events.HelpAcked(dialog="d-1", at=8.1, seq=9, manager="boss", name="Boss"),
    events.HelpResolved(dialog="d-1", at=8.15, seq=9, author="operator", author_id="bob",
                      name="Bob", text="done"),
    events.InternalMessage(dialog="d-1", at=8.2, seq=9, author="manager", author_id="boss",
                         name="Boss", text="look at the order"),
    events.MailRecorded(dialog="d-1", at=8.5, seq=9, kind="transcript", to="v@example.com",
                      status="sent", text="sent to v@example.com"),
    events.FileAttached(dialog="d-1", at=8.7, seq=9, file="f0", name="a.png", size=3,
                      mime="image/png", thumbnail=True, author="visitor", author_name=""),
    events.SurveySent(dialog="d-1", at=8.8, seq=9, template=1, title="S", operator="ann",
                    operator_name="Ann", questions=[{"kind": "rating", "text": "?",
                                                     "required": True, "options": []}]),
    events.SurveyAnswered(dialog="d-1", at=8.9, seq=9, survey=9, answers=[4]),
    events.MonitorSet(dialog="d-1", at=9.0, manager="boss", on=True),
    events.MonitoredLink(dialog="d-1", at=9.1, by="ann", link_hash="l", expires_at=99.0),
    events.MonitoredLinkUsed(dialog="d-1", at=9.2, token_hash="t"),
    events.TakeOverAsked(dialog="d-1", at=9.1, manager="boss", to="bob", name="Boss", note=""),
    events.DialogClosed(dialog="d-1", at=10.0, seq=9, by="visitor", reason="bye"),
    events.OperatorLoggedIn(operator="ann", at=1.0, name="Ann", capacity=None),
    events.StatusSet(operator="ann", at=2.0, status="phone"),
    events.OperatorInternal(operator="ann", at=2.5, n=1, author="manager", author_id="boss",
                          name="Boss", text="meeting at 4"),
    events.CapacitySet(operator="ann", at=3.0, capacity=4),
    events.OperatorLoggedOut(operator="ann", at=4.0),
]


def as_record(e: events.Event, seq: int = 1) -> Record:
    ne = events.to_new_event(e)
    data = json.loads(json.dumps(ne.data))  # what a real journal stores: JSON
    return Record(1, seq, ne.stream, ne.type, ne.version, data, ne.at)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.TYPE)
def test_round_trip_through_json(event: events.Event) -> None:
    assert events.from_record(as_record(event)) == event


def test_streams() -> None:
    assert SAMPLES[0].stream == "dialog:d-1"
    assert SAMPLES[-1].stream == "operator:ann"


def test_every_type_is_registered_once() -> None:
    assert len(events.EVENT_TYPES) == len(SAMPLES)


def test_unknown_type_is_a_journal_error() -> None:
    with pytest.raises(JournalError, match="unknown event type 'nope'"):
        events.from_record(Record(1, 7, "node", "nope", 1, {}, 0.0))


def test_newer_version_is_refused() -> None:
    r = as_record(SAMPLES[1])
    with pytest.raises(JournalError, match="newer than this code"):
        events.from_record(Record(r.epoch, r.seq, r.stream, r.type, 99, r.data, r.at))


def test_upcaster_brings_old_data_to_the_current_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events.StatusSet, "VERSION", 2)
    events.register_upcaster(
        "operator.status", 1, lambda d: {"operator": d["operator"], "status": d["state"]}
    )
    try:
        old = Record(
            1, 1, "operator:ann", "operator.status", 1, {"operator": "ann", "state": "phone"}, 5.0
        )
        got = events.from_record(old)
        assert got == events.StatusSet(operator="ann", at=5.0, status="phone")
    finally:
        events._UPCASTERS.pop(("operator.status", 1))


def test_missing_upcaster_is_a_journal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events.CapacitySet, "VERSION", 2)
    with pytest.raises(JournalError, match="no upcaster"):
        events.from_record(Record(1, 1, "operator:a", "operator.capacity", 1, {"operator": "a"},
                                  0.0))


def test_a_message_journaled_before_formatting_reads_as_plain_without_html() -> None:
    data = {"dialog": "d-1", "seq": 3, "author": "visitor", "name": "Vera", "text": "hi <b>",
            "ref": "m-1", "operator": None}
    record = Record(seq=9, epoch=1, stream="dialog:d-1", type="dialog.message", version=1,
                    data=data, at=5.0)
    event = events.from_record(record)
    assert isinstance(event, events.MessagePosted)
    assert (event.format, event.html, event.plain) == ("plain", "", "")
    notice = history_entry(event)
    assert isinstance(notice, MessagePosted)
    # the adapter renders an entry without html when it reads it (web/say_text.py)
    assert (notice.format, notice.source, notice.text, notice.html) == (
        "plain", "hi <b>", "hi <b>", "")


def test_a_formatted_message_keeps_its_three_forms() -> None:
    event = events.MessagePosted(at=1.0, dialog="d-1", seq=4, author="operator", name="Ann",
                               text="**hi**", format="markdown", html="<p><strong>hi</strong></p>",
                               plain="hi")
    again = events.from_record(Record(seq=1, epoch=1, stream=event.stream, type=event.TYPE,
                                  version=event.VERSION, data=json.loads(json.dumps(
                                      events.to_new_event(event).data)), at=1.0))
    assert again == event
    notice = history_entry(again)
    assert isinstance(notice, MessagePosted)
    assert (notice.format, notice.source, notice.text, notice.html) == (
        "markdown", "**hi**", "hi", "<p><strong>hi</strong></p>")
