"""Outgoing mail: one outbox table, one worker, two transports (SMTP or ``.eml`` files).

Every mail (a transcript, an offline message, a monitored-dialog link) is built as an
``email.message.EmailMessage`` (``frontdesk.adapters.mail.message``), queued in the outbox table
(``adapters.mail.outbox``) and sent by the worker (``frontdesk.adapters.mail.worker``) through a
transport (``frontdesk.adapters.mail.transport``) with retries and exponential backoff; the worker
reports each final outcome to the sender's callback by the mail's ``kind``.
"""

from frontdesk.adapters.mail.message import MailError as MailError
from frontdesk.adapters.mail.message import build_message as build_message
from frontdesk.adapters.mail.message import check_address as check_address
from frontdesk.adapters.mail.outbox import Outbox as Outbox
from frontdesk.adapters.mail.outbox import QueuedMail as QueuedMail
from frontdesk.adapters.mail.transport import EmlTransport as EmlTransport
from frontdesk.adapters.mail.transport import SmtpTransport as SmtpTransport
from frontdesk.adapters.mail.transport import Transport as Transport
from frontdesk.adapters.mail.transport import transport_from_settings as transport_from_settings
from frontdesk.adapters.mail.worker import MailOutcome as MailOutcome
from frontdesk.adapters.mail.worker import MailWorker as MailWorker
from frontdesk.adapters.mail.worker import RetryPolicy as RetryPolicy
