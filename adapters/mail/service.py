"""The server's mail: the outbox, its worker and the addresses of ``[mail]``, in one part
that senders (transcripts, offline messages, dialog links) queue through."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import trio

from frontdesk.adapters.mail.message import build_message
from frontdesk.adapters.mail.outbox import Outbox, QueuedMail
from frontdesk.adapters.mail.transport import Transport, transport_from_settings
from frontdesk.adapters.mail.worker import MailWorker, Reporter, RetryPolicy
from frontdesk.config.settings import Settings


class MailService:
    def __init__(self, outbox: Outbox, transport: Transport, policy: RetryPolicy, *,
                 from_address: str, reply_to: str,
                 now: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.worker = MailWorker(outbox, transport, policy, now)
        self.from_address = from_address
        self.reply_to = reply_to or from_address
        self.now = now

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str] = os.environ
                      ) -> MailService:
        mail = settings.mail
        transport = transport_from_settings(mail, Path(settings.storage.data_dir), environ)
        return cls(Outbox(settings.storage.accounts_db_url()), transport,
                   RetryPolicy.from_settings(mail), from_address=mail.from_address,
                   reply_to=mail.reply_to)

    def on_outcome(self, kind: str, reporter: Reporter) -> None:
        self.worker.on_outcome(kind, reporter)

    async def queue(self, kind: str, subject_id: str, *, to: str, subject: str, text: str,
                    html: str, reply_to: str = "") -> QueuedMail:
        """Queue a mail (``to`` checked: ``MailError`` if it is not an address) and wake the
        worker; on the trio thread. ``reply_to`` replaces ``[mail] reply_to`` for this one
        (an offline message is answered to its visitor)."""
        message = build_message(to=to, from_address=self.from_address,
                                reply_to=reply_to or self.reply_to,
                                subject=subject, text=text, html=html)
        queued = await trio.to_thread.run_sync(
            lambda: self.outbox.enqueue(kind, subject_id, message, sender=self.from_address,
                                        now=self.now()))
        self.worker.wake()
        return queued

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                  ) -> None:
        await self.worker.run(task_status=task_status)

    def close(self) -> None:
        self.outbox.close()
