"""A real SMTP server for the tests: aiosmtpd's ``Controller`` on loopback, in its own
thread, keeping every message it receives; and a port where nothing listens."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import trio
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from frontdesk.adapters.testing.ports import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """The handler: what arrived, and a way for a trio test to wait for it."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    _cond: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._cond:
            self.received.append(Received(str(envelope.mail_from),
                                          list(envelope.rcpt_tos), msg))
            self._cond.notify_all()
        return "250 Message accepted"

    async def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        """Wait (in a thread, on the condition) until ``count`` messages have arrived."""
        return await trio.to_thread.run_sync(self.wait_blocking, count, timeout_s)

    def wait_blocking(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        """The same for a plain (non-trio) test: the browser tests."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.received) >= count, timeout_s):
                raise AssertionError(f"expected {count} mails within {timeout_s} s, "
                                     f"got {len(self.received)}")
            return list(self.received)


class SmtpServer:
    """Start and stop a server on one fixed port (stopping it leaves the port refusing)."""

    def __init__(self, port: int | None = None, **tls: Any) -> None:
        """``tls``: aiosmtpd's TLS options (``tls_context`` with ``require_starttls``, or
        ``ssl_context`` for TLS from the first byte)."""
        self.port = port or free_port()
        self.inbox = Inbox()
        self.tls = tls
        self._controller: Controller | None = None

    def start(self) -> None:
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port, **self.tls}
        self._controller = Controller(self.inbox, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
