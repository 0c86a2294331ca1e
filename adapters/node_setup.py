"""What every ``frontdesk serve`` process opens before its server starts, whatever its
role: the runtime tuning and GC statistics from the environment, the data directory,
the journal, the accounts (with the demo users when wanted) and the system clock.

``adapters.cli.cmd_serve`` (one node) and ``adapters.replication.serve`` (a cluster
node) both start here, so the two stay the same up to the engine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from adapters import gcstats, tuning
from adapters.accounts import Accounts
from adapters.storage import SqlJournal
from config.settings import Settings
from engine.clock import SystemClock


@dataclass
class NodeParts:
    """The node's process-wide parts; ``close()`` them once the server has stopped."""

    runtime: tuning.RuntimeTuning
    journal: SqlJournal
    accounts: Accounts
    clock: SystemClock

    def demo_accounts(self, settings: Settings, wanted: bool) -> list[tuple[str, str, str]]:
        """(login, password, role) of the demo users, created or given fresh passwords when
        asked (``--demo``, ``settings.demo``) or when there is no user at all; else none."""
        if wanted or settings.demo or not self.accounts.users():
            return list(self.accounts.ensure_demo_users())
        return []

    def close(self) -> None:
        self.clock.stop()
        self.journal.close()
        self.accounts.close()


def open_node(settings: Settings, environ: Mapping[str, str] = os.environ) -> NodeParts:
    """Apply the runtime tuning of ``environ`` and open the journal and accounts of
    ``settings``."""
    runtime = tuning.tuning_from_env(environ)
    tuning.apply_runtime_tuning(runtime)
    gcstats.install_from_env(environ)
    Path(settings.storage.data_dir).mkdir(parents=True, exist_ok=True)
    journal = SqlJournal.from_settings(settings.storage)
    try:
        accounts = Accounts.from_settings(settings)
    except BaseException:
        journal.close()
        raise
    return NodeParts(runtime, journal, accounts, SystemClock())
