"""Storage on peewee: the journal (SQLite file in WAL mode, or PostgreSQL)."""

from frontdesk.adapters.storage.database import DatabaseTarget as DatabaseTarget
from frontdesk.adapters.storage.database import SqliteSynchronous as SqliteSynchronous
from frontdesk.adapters.storage.database import parse_database_url as parse_database_url
from frontdesk.adapters.storage.journal import SqlJournal as SqlJournal
from frontdesk.adapters.storage.verify import VerifyReport as VerifyReport
from frontdesk.engine.errors import CorruptRecordError as CorruptRecordError
from frontdesk.engine.errors import JournalDivergedError as JournalDivergedError
from frontdesk.engine.errors import JournalGapError as JournalGapError
