"""The start-up check of a node's journal: verify it, cut a damaged tail.

A node whose journal fails verification (torn or corrupted tail) cuts it after the
last good record and starts as backup with ``journal_ok = False``: it does not stand
for election until its peer has repaired the journal (docs/failover.md, "Start-up
checks"). The cut records are returned so that the node reports them as discarded.
"""

from __future__ import annotations

import logging

from frontdesk.adapters.replication.gate import ReplicaJournal
from frontdesk.engine.journal import Record

log = logging.getLogger("frontdesk.cluster")


def verify_and_cut(journal: ReplicaJournal) -> tuple[str | None, list[Record]]:
    """``(problem, cut records)``: ``(None, [])`` for a sound journal (or one that
    cannot verify itself)."""
    verify = getattr(journal, "verify", None)
    if verify is None:
        return None, []
    report = verify()
    if report.ok:
        return None, []
    log.error(
        "journal damaged: %s; cutting after seq %d, will repair from the peer",
        report,
        report.last_good_seq,
    )
    return str(report), journal.truncate_after(report.last_good_seq)
