"""``python -m bench.report_cost``: what a manager's report costs on a big journal.

A report (``GET /api/reports``), the audit list and the survey results are answered from
the engine's read models (``frontdesk.engine.journal_views``). Measured on a journal of
``--journal-records`` records (several sizes may be given) holding a working day: operators
logged in and changing status, dialogs opened, taken, answered, some transferred or with a
help request, closed; eight messages each (made once per size under
``bench/results/runs/report-journal-<records>/``, then reused):

* ``before: a report (every record)`` — the fold every report used to be
  (``engine/testing/report_reference.py`` over every record read from the journal);
* ``before: audit + survey results`` — their folds of every record, as they were;
* ``after: first report`` — the read model's first question after a start (folds the
  whole journal once), and, in one more such fold, the longest a thread asking for the
  GIL every millisecond (as the event loop's would) waited for it;
* ``after: repeated report (+N)`` — a report after ``--appended`` records more (one
  dialog's worth per 10); ``after: repeated audit + survey results`` likewise;
* the facts kept and their memory (``tracemalloc``, in a separate fold).

Times are the best of ``--repeat`` runs, in seconds; the report goes to stdout and, as
JSON, to ``--out`` (default ``bench/results/runs/report-cost-<time>.json``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.failover_cluster import ROOT
from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import events as engine_events
from frontdesk.engine.audit import audit
from frontdesk.engine.journal import Journal
from frontdesk.engine.journal_views import JournalViews
from frontdesk.engine.reports import reads
from frontdesk.engine.survey_results import results
from frontdesk.engine.testing.report_reference import reference_report

RUNS = ROOT / "bench" / "results" / "runs"
T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
OPERATORS = 20
MESSAGES = 8  # per dialog, half the visitor's, half the operator's


def _dialog(n: int, at: float) -> Iterator[engine_events.Event]:
    d, op = f"d-{n}", f"op{n % OPERATORS}"
    yield engine_events.DialogOpened(dialog=d, at=at, seq=1, number=n, token_hash=f"r{n}",
                                     visitor_name="V")
    yield engine_events.DialogAssigned(dialog=d, at=at + 1, seq=2, operator=op,
                                       operator_name=op.title())
    for i in range(MESSAGES):
        mine = i % 2 == 1
        yield engine_events.MessagePosted(
            dialog=d, at=at + 2 + 10 * i, seq=3 + i, author="operator" if mine else "visitor",
            name=op.title() if mine else "V", text=f"message {i}", operator=op if mine else None)
    seq = 3 + MESSAGES
    if n % 10 == 0:
        to = f"op{(n + 1) % OPERATORS}"
        yield engine_events.DialogTransferred(dialog=d, at=at + 90, seq=seq, from_operator=op,
                                              from_name=op.title(), to_operator=to,
                                              to_name=to.title())
    if n % 25 == 0:
        yield engine_events.HelpRequested(dialog=d, at=at + 95, seq=seq + 1, operator=op,
                                          text="help")
    yield engine_events.DialogClosed(dialog=d, at=at + 120, seq=seq + 2, by="operator",
                                     reason="")


def day(records: int, first: int = 1, at: float = T0) -> Iterator[engine_events.Event]:
    """About ``records`` events: the operators log in, then dialogs (one every 3 s), and
    every 50 dialogs an operator takes a break or comes back."""
    made = 0
    if first == 1:
        for i in range(OPERATORS):
            yield engine_events.OperatorLoggedIn(operator=f"op{i}", at=at, name=f"Op{i}")
            made += 1
    n = first
    while made < records:
        for e in _dialog(n, at + 3 * (n - first)):
            yield e
            made += 1
        if n % 50 == 0:
            yield engine_events.StatusSet(operator=f"op{n % OPERATORS}", at=at + 3 * n,
                                          status="on_break" if n % 100 else "connected")
            made += 1
        n += 1


def fill(journal: Journal, events: Iterator[engine_events.Event], batch: int = 5000) -> None:
    chunk: list[engine_events.Event] = []
    for e in events:
        chunk.append(e)
        if len(chunk) >= batch:
            journal.append([engine_events.to_new_event(x) for x in chunk], 1)
            chunk.clear()
    if chunk:
        journal.append([engine_events.to_new_event(x) for x in chunk], 1)


def prepared(records: int, cache: Path = RUNS) -> Path:
    folder = cache / f"report-journal-{records}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with SqlJournal(folder / "journal.sqlite3", synchronous="normal") as journal:
            fill(journal, day(records))
        (folder / "done").write_text(str(records))
    return folder / "journal.sqlite3"


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


class GilWait:
    """A thread asking for the GIL every millisecond: the longest it waited (as the event
    loop's thread would, for its next slice)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            asked = time.perf_counter()
            time.sleep(0.001)
            self.longest = max(self.longest, time.perf_counter() - asked - 0.001)

    def __enter__(self) -> GilWait:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(records: int, appended: int, repeat: int, cache: Path = RUNS) -> dict[str, Any]:
    source = prepared(records, cache)
    period = (T0 - 3600, T0 + 86_400)  # the day asked, read at its end
    now = period[1]
    with tempfile.TemporaryDirectory(prefix="frontdesk-report-cost-") as tmp:
        path = Path(tmp) / "journal.sqlite3"
        shutil.copy(source, path)
        with SqlJournal(path, synchronous="normal") as journal:
            total = journal.last()[1]

            def old_report() -> Any:
                events = (engine_events.from_record(r) for r in journal.read() if reads(r))
                return reference_report(events, *period, now)

            def old_others() -> Any:
                return audit(journal.read()), results(journal.read())

            before = best(repeat, old_report)
            before_others = best(repeat, old_others)
            firsts = []
            for _ in range(repeat):
                views = JournalViews(journal)
                started = time.perf_counter()
                made = views.report(*period, now)
                firsts.append(time.perf_counter() - started)
            assert made.to_json() == old_report().to_json()
            with GilWait() as wait:  # one more first fold, with a thread wanting the GIL
                JournalViews(journal).report(*period, now)
            next_dialog = [records]

            def grow() -> None:
                fill(journal, day(appended, first=next_dialog[0], at=T0 + 40_000))
                next_dialog[0] += appended

            def repeated(ask: Callable[[], object]) -> float:
                times = []
                for _ in range(repeat):
                    grow()
                    started = time.perf_counter()
                    ask()
                    times.append(time.perf_counter() - started)
                return min(times)

            again = repeated(lambda: views.report(*period, now))
            again_others = repeated(lambda: (views.audit(), views.survey_results()))
            unchanged = best(repeat, lambda: views.report(*period, now))
            assert views.report(*period, now).to_json() == old_report().to_json()
            assert views.refolds == 0
            tracemalloc.start()
            kept = JournalViews(journal)
            kept.report(*period, now)
            memory = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            facts = kept.size()
    return {"records": total, "appended": appended, "before_report_s": before,
            "before_audit_and_surveys_s": before_others, "first_report_s": min(firsts),
            "first_report_longest_gil_wait_s": wait.longest, "repeated_report_s": again,
            "repeated_audit_and_surveys_s": again_others, "unchanged_report_s": unchanged,
            "facts": facts, "facts_memory_bytes": memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal-records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--appended", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    found = [measure(n, args.appended, args.repeat) for n in args.journal_records]
    for result in found:
        rows = [("before: a report (every record)", result["before_report_s"]),
                ("before: audit + survey results", result["before_audit_and_surveys_s"]),
                ("after: first report", result["first_report_s"]),
                ("after: first report, longest GIL wait",
                 result["first_report_longest_gil_wait_s"]),
                (f"after: repeated report (+{args.appended})", result["repeated_report_s"]),
                (f"after: repeated audit + surveys (+{args.appended})",
                 result["repeated_audit_and_surveys_s"]),
                ("after: report, nothing appended", result["unchanged_report_s"])]
        print(f"reports on a journal of {result['records']:,} records (best of {args.repeat},"
              " seconds)")
        for name, value in rows:
            print(f"  {name:<48} {value:9.4f}")
        takings = result["facts"]["takings"]
        print(f"  facts kept: {takings:,} takings, {result['facts']['status_intervals']:,} "
              f"status intervals, {result['facts_memory_bytes'] / 2**20:.1f} MiB")
    out = args.out or RUNS / f"report-cost-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
