"""``JournalViews``: the read models the managers' pages ask for, kept up with the journal.

Reports (``report_facts``), the audit list (``audit.AuditTrail``) and the survey results
(``survey_results.SurveyTally``) used to be folds of the whole journal per request: about
1.5 s of GIL-holding work per 100,000 records. Here they are folded incrementally: each
question first folds the records appended since the last one folded (``journal.read(
after_seq=...)``), then answers from the facts kept.

Theory of operation
-------------------
- **Where it stands.** The last record folded is kept whole. Before folding more, the
  journal's record at that seq is read again (the same read goes on with the new ones):
  if it is gone or differs (an async failover's ``truncate_after`` cut the tail, and the
  seq may have been written again under a later epoch), everything is dropped and folded
  again from the first record (``refolds`` counts it; a warning is logged). A record can
  only come back identical, epoch included, if it is the same record, so the records
  below it are unchanged too.
- **A new engine, a new journal.** The views belong to one ``Engine`` (``Engine.views``) and
  so to one journal object: a promotion or a restart makes a new engine whose views fold
  their journal once, on their first question.
- **The first fold** reads the whole journal (once per engine start). It yields the GIL
  every ``chunk`` records (``time.sleep(0)``), so the event loop's thread, which wants it,
  gets it between chunks.
- **One at a time.** A lock makes every question a whole catch-up plus an answer; the web
  layer also folds on one worker thread at a time (``ServerContext.views_limiter``). Answers
  are fresh objects: nothing returned is changed by a later fold.
- **Memory**: bounded by the dialogs, takings, status changes, step-ins and surveys, not
  by the messages (see each model's docstring; measured by ``python -m bench.report_cost``).

A backup node has no engine and so no views: its pages are refused (``/api/reports``,
``/api/audit``: 503) or answered empty (survey results), as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from frontdesk.engine import events as engine_events
from frontdesk.engine import reports
from frontdesk.engine.audit import AuditTrail
from frontdesk.engine.journal import Journal, Record
from frontdesk.engine.report_facts import ReportFacts
from frontdesk.engine.reports import Report
from frontdesk.engine.survey_results import SurveyTally

log = logging.getLogger("frontdesk.engine.views")

CHUNK = 5000  # records folded between two yields of the GIL


def _yield_gil() -> None:
    time.sleep(0)  # releases the GIL: a thread waiting for it runs


class JournalViews:
    """The reports', audit's and survey results' read models over one journal."""

    def __init__(self, journal: Journal, *, chunk: int = CHUNK,
                 pause: Callable[[], None] = _yield_gil) -> None:
        self._journal = journal
        self._chunk = max(1, chunk)
        self._pause = pause
        self._lock = threading.Lock()
        self.refolds = 0  # folds begun again from the first record (a changed journal)
        self.folded = 0  # records folded, over every fold
        self._reset()

    def _reset(self) -> None:
        self._facts = ReportFacts()
        self._audit = AuditTrail()
        self._surveys = SurveyTally()
        self._last: Record | None = None

    # --- questions (blocking: call them off the event loop) --------------------------

    def report(self, start: float, end: float, now: float) -> Report:
        """The report of ``[start, end)`` read at ``now`` (``frontdesk.engine.reports``)."""
        if not end > start:
            raise ValueError(f"a report's period must end after it starts: {start} .. {end}")
        with self._lock:
            self._catch_up()
            return self._facts.report(start, end, now)

    def audit(self, since: float | None = None,
              until: float | None = None) -> list[dict[str, Any]]:
        """The step-ins with ``since <= at < until``, newest first (``frontdesk.engine.audit``)."""
        with self._lock:
            self._catch_up()
            return self._audit.entries(since, until)

    def survey_results(self) -> dict[str, Any]:
        """The survey figures (``frontdesk.engine.survey_results``)."""
        with self._lock:
            self._catch_up()
            return self._surveys.figures()

    def last_folded(self) -> tuple[int, int]:
        """(epoch, seq) of the last record folded; (0, 0) before any."""
        last = self._last
        return (0, 0) if last is None else (last.epoch, last.seq)

    def size(self) -> dict[str, int]:
        """How many facts are kept, by kind."""
        with self._lock:
            return {**self._facts.size(), "audit_entries": len(self._audit),
                    "surveys_sent": len(self._surveys.sent)}

    # --- folding -----------------------------------------------------------------------

    def _catch_up(self) -> None:
        self._fold(self._unfolded())

    def _unfolded(self) -> Iterator[Record]:
        """The records after the last one folded; from the first if that one changed."""
        last = self._last
        if last is None:
            return self._journal.read(0)
        records = self._journal.read(last.seq - 1)
        again = next(records, None)
        if again == last:
            return records
        log.warning(
            "the journal changed under the reports: seq %d of epoch %d is %s; folding it "
            "again from the start", last.seq, last.epoch,
            "gone" if again is None else f"now of epoch {again.epoch}",
        )
        self._reset()
        self.refolds += 1
        return self._journal.read(0)

    def _fold(self, records: Iterator[Record]) -> None:
        facts, trail, surveys = self._facts, self._audit, self._surveys
        reads, decode = reports.reads, engine_events.from_record
        n = 0
        try:
            for r in records:
                if reads(r):
                    facts.apply(decode(r))
                trail.apply(r)
                surveys.apply(r)
                self._last = r
                n += 1
                if n % self._chunk == 0:
                    self.folded += self._chunk
                    self._pause()
        except BaseException:  # a record folded into some models only: start again next time
            self._reset()
            raise
        self.folded += n % self._chunk
