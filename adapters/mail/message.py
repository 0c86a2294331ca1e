"""Building a mail: a multipart/alternative message (text and HTML) with the headers every
frontdesk mail carries, and the address check applied where an address enters."""

from __future__ import annotations

import email.policy
import email.utils
from email.message import EmailMessage

from frontdesk.config.validation import is_address
from frontdesk.engine.errors import AdapterError


class MailError(AdapterError):
    """A mail could not be built, queued or sent (the message says which and why)."""


def check_address(value: object, what: str = "the address") -> str:
    """``value`` as an address to send to, or a ``MailError`` naming what came."""
    if not isinstance(value, str):
        raise MailError(f"{what}: expected an e-mail address, got {type(value).__name__}")
    address = value.strip()
    if not is_address(address):
        shown = address if len(address) <= 80 else address[:77] + "..."
        raise MailError(f"{what}: expected an e-mail address like name@example.com, "
                        f"got {shown!r}")
    return address


def build_message(
    *, to: str, from_address: str, reply_to: str, subject: str, text: str, html: str,
) -> EmailMessage:
    """A message with a plain-text and an HTML part; ``html`` must already be safe
    (escaped by its builder). ``Auto-Submitted: auto-generated`` (RFC 3834) keeps
    auto-responders from answering it."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = from_address
    msg["To"] = check_address(to, "To")
    msg["Reply-To"] = reply_to or from_address
    msg["Subject"] = " ".join(subject.split())  # no header injection through newlines
    msg["Date"] = email.utils.formatdate(localtime=False)
    # the sender's domain: a Message-ID of a domain the sender owns (RFC 5322 3.6.4)
    msg["Message-ID"] = email.utils.make_msgid("frontdesk", domain=from_address.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
