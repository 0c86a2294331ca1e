"""The read models kept up with the journal (engine/journal_views.py): a repeated question
folds only the records appended since, a journal whose tail was cut (and written again
under a later epoch) is folded again from the start, a reopened journal is folded whole
once; the answers are always those of folding every record (the reference folds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import events as engine_events
from frontdesk.engine.audit import audit
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.journal import Journal, MemoryJournal, NewEvent
from frontdesk.engine.journal_views import JournalViews
from frontdesk.engine.reports import reads
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.survey_results import results
from frontdesk.engine.testing.report_reference import reference_report

T0 = 1_700_000_000.0
DAY = (T0 - 3600, T0 + 86_400)


def a_dialog(n: int, op: str, at: float) -> list[engine_events.Event]:
    """Dialog ``d-n``: opened, taken by ``op``, answered 10 s later, closed after 60 s."""
    d = f"d-{n}"
    return [
        engine_events.DialogOpened(dialog=d, at=at, seq=1, number=n, token_hash=f"t{n}",
                                   visitor_name="V"),
        engine_events.DialogAssigned(dialog=d, at=at, seq=2, operator=op,
                                     operator_name=op.title()),
        engine_events.MessagePosted(dialog=d, at=at + 5, seq=3, author="visitor", name="V",
                                    text="hello"),
        engine_events.MessagePosted(dialog=d, at=at + 10, seq=4, author="operator",
                                    name=op.title(), text="hi", operator=op),
        engine_events.DialogClosed(dialog=d, at=at + 60, seq=5, by="operator", reason=""),
    ]


def step_in(d: str, at: float) -> NewEvent:
    return NewEvent(f"dialog:{d}", "dialog.message", 1,
                    {"dialog": d, "seq": 9, "author": "manager", "name": "Maria",
                     "operator": "maria", "text": "a manager writes"}, at)


def append(journal: Journal, events: list[engine_events.Event], epoch: int = 1) -> None:
    journal.append([engine_events.to_new_event(e) for e in events], epoch)


def expected(journal: Journal, now: float) -> dict[str, object]:
    """The reference: every record of the journal folded for this question."""
    events = [engine_events.from_record(r) for r in journal.read() if reads(r)]
    return reference_report(events, *DAY, now).to_json()


def test_a_repeated_report_folds_only_what_was_appended_since() -> None:
    journal = MemoryJournal()
    append(journal, [engine_events.OperatorLoggedIn(operator="ann", at=T0, name="Ann")])
    for n in range(1, 21):
        append(journal, a_dialog(n, "ann", T0 + 100 * n))
    views = JournalViews(journal)
    first = views.report(*DAY, T0 + 5000)
    assert views.folded == journal.last()[1] == 101
    assert first.to_json() == expected(journal, T0 + 5000)
    append(journal, a_dialog(21, "ann", T0 + 3000))
    journal.append([step_in("d-21", T0 + 3001)], 1)
    again = views.report(*DAY, T0 + 5000)
    assert views.folded == 107  # the 6 new records, nothing read twice
    assert again.to_json() == expected(journal, T0 + 5000)
    assert again.to_json()["operators"][0]["dialogs"] == 21
    assert views.audit() == audit(journal.read())
    assert views.folded == 107 and views.refolds == 0


def test_a_cut_tail_written_again_under_a_later_epoch_is_folded_again(tmp_path: Path) -> None:
    """An async failover: this node's tail after seq 11 was never replicated; the new
    primary wrote other records there in epoch 2. The facts of the lost tail must go."""
    with SqlJournal(tmp_path / "journal.sqlite3", synchronous="normal") as journal:
        append(journal, [engine_events.OperatorLoggedIn(operator="ann", at=T0, name="Ann")])
        append(journal, a_dialog(1, "ann", T0 + 100) + a_dialog(2, "ann", T0 + 200))
        journal.append([step_in("d-2", T0 + 201)], 1)
        views = JournalViews(journal)
        assert views.report(*DAY, T0 + 900).to_json()["total"]["dialogs"] == 2
        assert len(views.audit()) == 1
        journal.truncate_after(6)  # the login and dialog d-1 stay
        journal.raise_epoch(2)
        append(journal, a_dialog(3, "bob", T0 + 300), epoch=2)
        made = views.report(*DAY, T0 + 900)
        assert views.refolds == 1
        assert made.to_json() == expected(journal, T0 + 900)
        assert [o.id for o in made.operators] == ["ann", "bob"]
        assert views.audit() == []  # the step-in was in the lost tail
        assert views.last_folded() == journal.last() == (2, 11)


def test_a_tail_cut_and_not_yet_written_again_is_folded_again(tmp_path: Path) -> None:
    with SqlJournal(tmp_path / "journal.sqlite3", synchronous="normal") as journal:
        append(journal, a_dialog(1, "ann", T0) + a_dialog(2, "ann", T0 + 100))
        views = JournalViews(journal)
        assert views.report(*DAY, T0 + 900).total.dialogs == 2
        journal.truncate_after(5)
        assert views.report(*DAY, T0 + 900).total.dialogs == 1
        assert views.refolds == 1 and views.last_folded() == (1, 5)


def test_a_reopened_journal_is_folded_whole_once_then_followed(tmp_path: Path) -> None:
    """An engine start: new views over the journal of the process before."""
    path = tmp_path / "journal.sqlite3"
    with SqlJournal(path, synchronous="normal") as journal:
        append(journal, a_dialog(1, "ann", T0))
    with SqlJournal(path, synchronous="normal") as journal:
        views = JournalViews(journal)
        assert views.report(*DAY, T0 + 900).to_json() == expected(journal, T0 + 900)
        append(journal, a_dialog(2, "bob", T0 + 100))
        assert views.report(*DAY, T0 + 900).to_json() == expected(journal, T0 + 900)
        assert views.folded == 10 and views.refolds == 0


def test_the_first_fold_yields_between_chunks_of_records() -> None:
    journal = MemoryJournal()
    for n in range(1, 8):
        append(journal, a_dialog(n, "ann", T0 + 100 * n))  # 35 records
    pauses: list[int] = []
    views = JournalViews(journal, chunk=10, pause=lambda: pauses.append(views.folded))
    views.report(*DAY, T0 + 900)
    assert pauses == [10, 20, 30] and views.folded == 35


def test_survey_results_follow_the_journal() -> None:
    journal = MemoryJournal()
    survey = {"dialog": "d-1", "seq": 6, "template": 1, "title": "Satisfaction",
              "operator": "ann", "operator_name": "Ann",
              "questions": [{"kind": "rating", "text": "How was it?", "options": []}]}
    journal.append([NewEvent("dialog:d-1", "dialog.survey", 1, survey, T0)], 1)
    views = JournalViews(journal)
    assert views.survey_results() == results(journal.read())
    answer = {"dialog": "d-1", "seq": 7, "survey": 6, "answers": [4]}
    journal.append([NewEvent("dialog:d-1", "dialog.survey_answered", 1, answer, T0 + 9)], 1)
    shown = views.survey_results()
    assert shown == results(journal.read())
    assert shown["templates"][0]["answered"] == 1 and views.folded == 2


def test_a_bad_period_is_refused_before_anything_is_read() -> None:
    journal = MemoryJournal()
    append(journal, a_dialog(1, "ann", T0))
    views = JournalViews(journal)
    with pytest.raises(ValueError, match="must end after it starts"):
        views.report(T0, T0, T0)
    assert views.folded == 0


def test_a_restarted_engine_folds_its_journal_once_and_reports_the_same(tmp_path: Path) -> None:
    """The process before made a report; the next engine over the same journal file has
    views of its own, folded whole on its first question, and answers the same."""
    path = tmp_path / "journal.sqlite3"
    with SqlJournal(path, synchronous="normal") as journal:
        append(journal, a_dialog(1, "ann", T0) + a_dialog(2, "bob", T0 + 100))
        engine = Engine(EngineSettings(), journal, ManualClock(T0 + 900)).start()
        try:
            before = engine.report(*DAY, T0 + 900).to_json()
        finally:
            engine.stop()
    with SqlJournal(path, synchronous="normal") as journal:
        engine = Engine(EngineSettings(), journal, ManualClock(T0 + 900)).start()
        try:
            assert engine.views.folded == 0  # nothing read before a manager asks
            assert engine.report(*DAY, T0 + 900).to_json() == before == expected(journal,
                                                                                 T0 + 900)
            assert engine.views.folded == journal.last()[1]
        finally:
            engine.stop()
