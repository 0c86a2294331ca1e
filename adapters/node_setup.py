"""What every ``frontdesk serve`` process opens before its server starts, whatever its
role: the runtime tuning and GC statistics from the environment, the data directory,
the node's claim on its journal database (``frontdesk.adapters.storage.identity``: one journal,
one node) and its lock (``frontdesk.adapters.storage.journal_lock``: that node running once), the
journal, the accounts (with the demo users when wanted), the file store, the mail outbox
(``frontdesk.adapters.mail``, in the accounts database), the knowledge base
(``frontdesk.adapters.knowledge``, in the accounts database too; the demo fills an empty one
with the bike shop's articles), the predefined answers (``frontdesk.adapters.predefined``,
there too; the demo gets the bike shop's ``/hello``, ``/hours``, ``/returns``), the survey
templates (``frontdesk.adapters.surveys``, there too; the demo gets ``Satisfaction``) and the
system clock.

``frontdesk.web.node.serve_node`` (the composition root) opens them, for a single node and a
cluster node alike, so the two stay the same up to the engine.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from frontdesk.adapters import gcstats, tuning
from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.files import FileStore
from frontdesk.adapters.files.settings import store_from_settings
from frontdesk.adapters.knowledge import KnowledgeBase
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES
from frontdesk.adapters.mail.service import MailService
from frontdesk.adapters.offline import OfflineMessages
from frontdesk.adapters.predefined import PredefinedAnswers
from frontdesk.adapters.predefined.demo import DEMO_ANSWERS
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.identity import claim_journal, node_identity
from frontdesk.adapters.storage.journal_lock import JournalLock, lock_journal
from frontdesk.adapters.surveys import SurveyTemplates
from frontdesk.adapters.surveys.demo import DEMO_SURVEYS
from frontdesk.config.settings import Settings
from frontdesk.engine.clock import SystemClock
from frontdesk.engine.errors import ConfigError


@dataclass
class NodeParts:
    """The node's process-wide parts; ``close()`` them once the server has stopped."""

    runtime: tuning.RuntimeTuning
    journal: SqlJournal
    accounts: Accounts
    clock: SystemClock
    lock: JournalLock | None = None  # this process's hold on the journal
    mail: MailService | None = None  # the mail outbox and its worker ([mail])
    files: FileStore | None = None  # dialogs' files ([files])
    knowledge: KnowledgeBase | None = None  # the knowledge base (accounts database)
    predefined: PredefinedAnswers | None = None  # predefined answers (accounts database)
    surveys: SurveyTemplates | None = None  # survey templates (accounts database)
    offline: OfflineMessages | None = None  # offline messages (accounts database)

    def demo_accounts(self, settings: Settings, wanted: bool) -> list[tuple[str, str, str]]:
        """(login, password, role) of the demo users, created or given fresh passwords when
        asked (``--demo``, ``settings.demo``) or when there is no user at all; else none.
        A demo also gets the demo knowledge base when the knowledge base is empty."""
        if wanted or settings.demo or not self.accounts.users():
            demo: list[tuple[str, str, str]] = list(self.accounts.ensure_demo_users())
            if self.knowledge is not None and not self.knowledge.articles():
                self.knowledge.create_many(DEMO_ARTICLES, by="demo")
            if self.predefined is not None and not self.predefined.shared():
                self.predefined.create_many(DEMO_ANSWERS, owner=None, by="demo")
            if self.surveys is not None and not self.surveys.templates():
                self.surveys.create_many(DEMO_SURVEYS, by="demo")
            return demo
        return []

    def close(self) -> None:
        self.clock.stop()
        self.journal.close()
        self.accounts.close()
        if self.mail is not None:
            self.mail.close()
        if self.files is not None:
            self.files.close()
        if self.knowledge is not None:
            self.knowledge.close()
        if self.predefined is not None:
            self.predefined.close()
        if self.surveys is not None:
            self.surveys.close()
        if self.offline is not None:
            self.offline.close()
        if self.lock is not None:
            self.lock.release()


def open_node(settings: Settings, environ: Mapping[str, str] = os.environ) -> NodeParts:
    """Apply the runtime tuning of ``environ``, claim the journal database for this node
    and open the journal and accounts of ``settings``."""
    runtime = tuning.tuning_from_env(environ)
    tuning.apply_runtime_tuning(runtime)
    gcstats.install_from_env(environ)
    storage = settings.storage
    make_data_dir(Path(storage.data_dir))
    me = node_identity(Path(storage.data_dir), settings.cluster.node_name,
                       configured_id=storage.node_id, cluster=bool(settings.cluster.peer_url))
    claim_journal(storage.journal_url(), me)
    lock = lock_journal(storage.journal_url(), me.name)
    with contextlib.ExitStack() as undo:  # what is open so far is closed if a later part fails
        undo.callback(lock.release)
        journal = SqlJournal.from_settings(storage)
        undo.callback(journal.close)
        accounts = Accounts.from_settings(settings)
        undo.callback(accounts.close)
        mail = MailService.from_settings(settings, environ)
        undo.callback(mail.close)
        files = store_from_settings(settings)
        undo.callback(files.close)
        knowledge = KnowledgeBase(settings.storage.accounts_db_url())
        undo.callback(knowledge.close)
        predefined = PredefinedAnswers(settings.storage.accounts_db_url())
        undo.callback(predefined.close)
        surveys = SurveyTemplates(settings.storage.accounts_db_url())
        undo.callback(surveys.close)
        offline = OfflineMessages(settings.storage.accounts_db_url())
        undo.pop_all()
    return NodeParts(runtime, journal, accounts, SystemClock(), lock, mail, files, knowledge,
                     predefined, surveys, offline)


def make_data_dir(path: Path) -> None:
    """Create the data directory (and its parents), or say in one line why it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = [p for p in (*reversed(path.parents), path) if p.exists() and not p.is_dir()]
        reason = f"{in_the_way[0]} is a file" if in_the_way else (exc.strerror or str(exc))
        raise ConfigError(
            f"storage.data_dir: cannot create the data directory {path}: {reason}; "
            "choose another --data-dir or storage.data_dir"
        ) from None
