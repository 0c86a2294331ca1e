"""The outbox's one sender: a trio task that sends due mails, in a worker thread each
(``smtplib`` blocks), with retries and exponential backoff, and reports every final
outcome.

Theory of operation: the table is the truth. The worker reads the due rows, sends one at
a time, and writes the result back before it looks at the next: sent, failed (permanent
refusal, or the last of ``max_attempts`` tries), or queued again ``backoff(attempts)``
later. Between rounds it sleeps until the earliest next try or until ``wake()`` (a mail
was queued). A restart loses nothing: rows still queued are due again, and outcomes not yet
reported (``reported = False``) are reported first. Only an ``active()`` node sends (in a
cluster: the primary); each time it becomes active (started, or a backup promoted, holding
the rows the old primary replicated: ``repl.mail``) it reports the outcomes not reported yet
before it sends what is due. Reports go to the callback registered
for the mail's ``kind``; a report that raises is logged and the row stays unreported.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import trio

from frontdesk.adapters.mail.outbox import MailStatus, Outbox, QueuedMail
from frontdesk.adapters.mail.transport import SendError, Transport
from frontdesk.config.settings import MailSettings

log = logging.getLogger(__name__)

INACTIVE_RECHECK_S = 1.0  # a backup looks again this often whether it has become primary


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    initial_s: float = 30.0
    max_s: float = 3600.0

    @classmethod
    def from_settings(cls, mail: MailSettings) -> RetryPolicy:
        return cls(mail.max_attempts, mail.retry_initial_s, mail.retry_max_s)

    def backoff_s(self, failed_attempts: int) -> float:
        """The wait after the ``failed_attempts``-th failed try: initial, doubled each time,
        at most ``max_s``."""
        return min(self.max_s, self.initial_s * 2.0 ** max(0, failed_attempts - 1))


@dataclass(frozen=True)
class MailOutcome:
    id: int
    kind: str
    subject_id: str
    to: str
    status: MailStatus  # "sent" or "failed"
    attempts: int
    error: str  # "" when sent

    def describe(self) -> str:
        """"sent to a@b" / "failed after 3 tries: reason" — the text of the dialog entry."""
        if self.status == "sent":
            return f"sent to {self.to}"
        tries = "1 try" if self.attempts == 1 else f"{self.attempts} tries"
        return f"to {self.to} failed after {tries}: {self.error}"


Reporter = Callable[[MailOutcome], None]


class MailWorker:
    def __init__(self, outbox: Outbox, transport: Transport, policy: RetryPolicy,
                 now: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.transport = transport
        self.policy = policy
        self.now = now
        self.reporters: dict[str, Reporter] = {}
        self._wake = trio.Event()
        self.attempts = 0  # tries made by this worker (tests and /metrics read it)
        self.outcomes = {"sent": 0, "failed": 0}  # final outcomes reached by this worker
        # called on the trio thread after each try: (the mail, its tries so far, "" or why)
        self.tried: Callable[[QueuedMail, int, str], None] | None = None
        # whether this node sends now: in a cluster only the primary does (both nodes may
        # share the accounts database, and so the outbox)
        self.active: Callable[[], bool] = lambda: True

    def on_outcome(self, kind: str, reporter: Reporter) -> None:
        self.reporters[kind] = reporter

    def wake(self) -> None:
        """A mail was queued (call on the trio thread)."""
        self._wake.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                  ) -> None:
        task_status.started()
        was_active = False
        while True:
            self._wake = trio.Event()
            if not self.active():
                was_active = False
                with trio.move_on_after(INACTIVE_RECHECK_S):
                    await self._wake.wait()
                continue
            if not was_active:  # started, or promoted: outcomes reached before, reported
                was_active = True
                for done in await trio.to_thread.run_sync(self.outbox.unreported):
                    self._report(done)
            for mail in await trio.to_thread.run_sync(self.outbox.due, self.now()):
                await self._try(mail)
            next_at = await trio.to_thread.run_sync(self.outbox.next_due_at)
            wait = math.inf if next_at is None else max(0.0, next_at - self.now())
            if wait > 0:
                with trio.move_on_after(wait):
                    await self._wake.wait()

    async def _try(self, mail: QueuedMail) -> None:
        self.attempts += 1
        try:
            await trio.to_thread.run_sync(
                self.transport.send, mail.id, mail.sender, mail.to, mail.message)
        except SendError as exc:
            tries = mail.attempts + 1
            self._tried(mail, tries, exc.reason)
            if exc.permanent or tries >= self.policy.max_attempts:
                await trio.to_thread.run_sync(self.outbox.finish, mail.id, "failed",
                                              self.now(), exc.reason)
            else:
                at = self.now() + self.policy.backoff_s(tries)
                log.info("mail %d to %s: try %d failed (%s); next at %.1f", mail.id, mail.to,
                         tries, exc.reason, at)
                await trio.to_thread.run_sync(self.outbox.retry_at, mail.id, at, exc.reason)
                return
        else:
            await trio.to_thread.run_sync(self.outbox.finish, mail.id, "sent", self.now())
            self._tried(mail, mail.attempts + 1, "")
        done = await trio.to_thread.run_sync(self.outbox.get, mail.id)
        if done is not None:
            self._report(done)

    def metrics_text(self) -> str:
        """Prometheus lines: tries and final outcomes since this process started."""
        return "\n".join([
            "# HELP frontdesk_mail_attempts_total SMTP (or .eml) tries of queued mails",
            "# TYPE frontdesk_mail_attempts_total counter",
            f"frontdesk_mail_attempts_total {self.attempts}",
            "# HELP frontdesk_mail_outcomes_total mails sent or given up",
            "# TYPE frontdesk_mail_outcomes_total counter",
            *(f'frontdesk_mail_outcomes_total{{outcome="{k}"}} {v}'
              for k, v in self.outcomes.items()),
        ])

    def _tried(self, mail: QueuedMail, tries: int, error: str) -> None:
        if self.tried is not None:
            self.tried(mail, tries, error)

    def _report(self, mail: QueuedMail) -> None:
        if mail.status == "queued":
            return
        if mail.status in self.outcomes:
            self.outcomes[mail.status] += 1
        outcome = MailOutcome(mail.id, mail.kind, mail.subject_id, mail.to, mail.status,
                              mail.attempts, mail.last_error)
        reporter = self.reporters.get(mail.kind)
        try:
            if reporter is not None:
                reporter(outcome)
            self.outbox.mark_reported(mail.id)
        except Exception:
            log.exception("reporting the outcome of mail %d failed", mail.id)
