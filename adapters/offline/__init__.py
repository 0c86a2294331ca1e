"""Offline messages: what a visitor leaves in the widget's offline form when the site is
closed or no operator takes dialogs (``docs/protocol.md``, "Offline messages"). Stored in
the accounts database (SQLite or PostgreSQL), listed for managers, marked handled."""

from frontdesk.adapters.offline.messages import MESSAGE_MAX_CHARS as MESSAGE_MAX_CHARS
from frontdesk.adapters.offline.messages import NAME_MAX_CHARS as NAME_MAX_CHARS
from frontdesk.adapters.offline.messages import OfflineDraft as OfflineDraft
from frontdesk.adapters.offline.messages import OfflineError as OfflineError
from frontdesk.adapters.offline.messages import OfflineMessage as OfflineMessage
from frontdesk.adapters.offline.messages import mail_of as mail_of
from frontdesk.adapters.offline.store import OfflineMessages as OfflineMessages
