"""``python -m bench.start_checks``: what a cluster node's start-up checks cost on a big journal.

A node verifies its journal and reads its epoch runs before it may stand for election
(``adapters/replication/node.py``). Measured on a copy of the cached journal of
``--journal-records`` records (``bench/failover_cluster.py prepared_journal``):

* ``verify, every record`` — the first start on a journal never checked, and
  ``frontdesk verify-journal`` (the floor: what every start used to pay);
* ``verify, since the last check`` — every later start, after ``--appended`` new records;
* ``epoch runs, decoding every record`` — how the runs used to be read;
* ``epoch runs, by the database`` — ``SqlJournal.epoch_runs()``, one grouped scan.

Each is the best of ``--repeat`` runs, in seconds. The report goes to stdout and, as JSON,
to ``--out`` (default ``bench/results/runs/start-checks-<records>-<time>.json``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.failover_cluster import ROOT, prepared_journal
from frontdesk.adapters.replication.protocol import EpochRuns
from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine.journal import NewEvent

RUNS = ROOT / "bench" / "results" / "runs"


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(records: int, appended: int, repeat: int) -> dict[str, float | int]:
    source = prepared_journal(RUNS, records)
    with tempfile.TemporaryDirectory(prefix="frontdesk-start-checks-") as tmp:
        path = Path(tmp) / "journal.sqlite3"
        shutil.copy(source / "journal.sqlite3", path)
        with SqlJournal(path, synchronous="normal") as journal:
            full = best(repeat, lambda: journal.verify(full=True))
            decoded = best(repeat, lambda: EpochRuns.of(journal.read(0)))
            by_sql = best(repeat, journal.epoch_runs)
            assert EpochRuns.of(journal.read(0)).runs == journal.epoch_runs()

            def since() -> float:
                journal.verify()  # the mark is at the tail
                epoch, _ = journal.last()
                journal.append([NewEvent("dialog:bench", "message", 1, {"text": "x"}, 1.0)
                                for _ in range(appended)], epoch)
                started = time.perf_counter()
                report = journal.verify()
                elapsed = time.perf_counter() - started
                assert report.ok and report.records == appended, report
                return elapsed

            since_last = min(since() for _ in range(repeat))
            total = journal.last()[1]
    return {"records": total, "appended": appended, "verify_full_s": full,
            "verify_since_last_s": since_last, "epoch_runs_decoded_s": decoded,
            "epoch_runs_sql_s": by_sql}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal-records", type=int, default=1_000_000)
    parser.add_argument("--appended", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = measure(args.journal_records, args.appended, args.repeat)
    rows = [("verify, every record (the floor)", result["verify_full_s"]),
            (f"verify, since the last check (+{args.appended})", result["verify_since_last_s"]),
            ("epoch runs, decoding every record", result["epoch_runs_decoded_s"]),
            ("epoch runs, by the database", result["epoch_runs_sql_s"])]
    print(f"start-up checks on a journal of {result['records']:,} records (best of "
          f"{args.repeat}, seconds)")
    for name, value in rows:
        print(f"  {name:<48} {value:9.3f}")
    out = args.out or RUNS / f"start-checks-{args.journal_records}-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
