"""The survey a close sends and its answer after the close on a PostgreSQL journal (the
scratch server of tests/adapters/conftest.py): the store reads the closed dialog's stream
there and appends the answer in it; a restart reads it back."""

from __future__ import annotations

import dataclasses

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import commands, notices
from frontdesk.engine.survey_results import results
from frontdesk.engine.testing import EngineHarness
from tests.adapters.test_storage_journal import drop_tables, postgres_url
from tests.engine.test_close_survey import settings


def test_the_close_survey_is_answered_from_a_postgresql_journal() -> None:
    url = postgres_url()
    drop_tables(url)
    journal = SqlJournal(url)
    try:
        with EngineHarness(settings(), journal) as h:
            ann = h.login("ann")
            vera = h.visitor("Vera")
            vera.open()
            assert isinstance(ann.close(vera), notices.Ack)
            sent = vera.probe.expect({"type": "dialog.survey"})
            h.settle()
            cmd = commands.AnswerSurvey(vera._need(), vera.token_hash, sent.seq,
                                        (3, None, None, None), ref="a1")
            assert h.command(cmd) == notices.Ack("a1", vera.dialog, sent.seq + 2)
            h.restart()
            again = h.command(dataclasses.replace(cmd, ref="a2"))
            assert isinstance(again, notices.Rejected) and again.code == "already_answered"
            (t,) = results(journal.read())["templates"]
        assert (t["sent"], t["answered"], t["average_rating"]) == (1, 1, 3)
    finally:
        journal.close()
