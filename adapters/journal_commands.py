"""``frontdesk verify-journal``: check every record of a node's journal from the shell.

A node checks at start only what was appended since its last clean check
(``adapters/storage/verify.py``); this walks the whole journal — every record's
checksum, gap-free seq, epochs in order — and prints what it found. Exit status 0 for a
sound journal, 1 for a damaged one (the report names the first bad seq), 2 when the
journal is not there or a node is running on it (the journal's lock). It changes no
record: a damaged tail is cut by the node itself at its next start, which then repairs
from its peer (docs/failover.md, "Start-up checks").
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.database import parse_database_url
from frontdesk.adapters.storage.journal_lock import lock_journal
from frontdesk.config.loader import load_settings


def add_subcommand(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    verify = subparsers.add_parser(
        "verify-journal", help="check every record of a node's journal (checksums, seq, epochs)"
    )
    verify.add_argument("--data-dir", help="where the journal lives (default ./data)")
    verify.add_argument("--config", help="a TOML settings file")
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    overrides = {"storage.data_dir": args.data_dir} if args.data_dir else {}
    settings = load_settings(Path(args.config) if args.config else None, os.environ, overrides)
    storage = settings.storage
    file = parse_database_url(storage.journal_url()).path
    if file is not None and not Path(file).is_file():
        print(f"frontdesk: verify-journal: no journal at {file} (expected the data directory "
              "of a node: --data-dir or --config)", file=sys.stderr)
        return 2
    lock = lock_journal(storage.journal_url(), "verify-journal")  # not while a node runs
    try:
        with SqlJournal.from_settings(storage) as journal:
            report = journal.verify(full=True)
    finally:
        lock.release()
    print(report)
    return 0 if report.ok else 1
