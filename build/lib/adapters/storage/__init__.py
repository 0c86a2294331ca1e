"""Storage on peewee: the journal (SQLite file in WAL mode, or PostgreSQL)."""

from adapters.storage.database import DatabaseTarget as DatabaseTarget
from adapters.storage.database import SqliteSynchronous as SqliteSynchronous
from adapters.storage.database import parse_database_url as parse_database_url
from adapters.storage.journal import SqlJournal as SqlJournal
from adapters.storage.verify import VerifyReport as VerifyReport
from engine.errors import CorruptRecordError as CorruptRecordError
from engine.errors import JournalDivergedError as JournalDivergedError
from engine.errors import JournalGapError as JournalGapError
