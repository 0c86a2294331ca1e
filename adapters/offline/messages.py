"""An offline message: the visitor's draft checked field by field, the stored record, and
the notification mail built from it (plain text and escaped HTML)."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

from frontdesk.config.validation import is_address
from frontdesk.engine.errors import AdapterError

NAME_MAX_CHARS = 100
MESSAGE_MAX_CHARS = 4000


class OfflineError(AdapterError):
    """A refused draft (``field`` names what was wrong) or a storage failure."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class OfflineDraft:
    name: str
    email: str
    message: str

    @classmethod
    def from_json(cls, data: object) -> OfflineDraft:
        """A draft from a request body, checked (``OfflineError`` naming the field)."""
        if not isinstance(data, dict):
            raise OfflineError(f"expected a JSON object {{name, email, message}}, got "
                               f"{type(data).__name__}")
        unknown = sorted(set(data) - {"name", "email", "message"})
        if unknown:
            raise OfflineError(f"expected the fields name, email and message, got also "
                               f"{', '.join(unknown)}", unknown[0])
        return cls(*(_text(data, key) for key in ("name", "email", "message"))).checked()

    def checked(self) -> OfflineDraft:
        name, email, message = self.name.strip(), self.email.strip(), self.message.strip()
        if not name or len(name) > NAME_MAX_CHARS or not name.isprintable():
            raise OfflineError(f"name: expected 1-{NAME_MAX_CHARS} printable characters, got "
                               f"{len(name)}" + ("" if name.isprintable() else " with control "
                                                 "characters"), "name")
        if not is_address(email):
            shown = email if len(email) <= 40 else email[:37] + "..."
            raise OfflineError(f"email: expected an e-mail address like ada@example.com, got "
                               f"{shown!r}", "email")
        if not message or len(message) > MESSAGE_MAX_CHARS:
            raise OfflineError(f"message: expected 1-{MESSAGE_MAX_CHARS} characters, got "
                               f"{len(message)}", "message")
        return OfflineDraft(name, email, message)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        got = "nothing" if value is None else type(value).__name__
        raise OfflineError(f"{key}: expected a string, got {got}", key)
    return value


@dataclass(frozen=True)
class OfflineMessage:
    id: int
    name: str
    email: str
    message: str
    created_at: float
    handled_at: float | None = None
    handled_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email,
                "message": self.message, "created_at": self.created_at,
                "handled": self.handled_at is not None, "handled_at": self.handled_at,
                "handled_by": self.handled_by}


def mail_of(message: OfflineMessage, site: str = "frontdesk") -> tuple[str, str, str]:
    """(subject, text, html) of the notification mail; every value escaped in the HTML."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(message.created_at))
    subject = f"Offline message from {message.name} ({when})"
    text = (f"{message.name} <{message.email}> left a message on {site} at {when}:\n\n"
            f"{message.message}\n\n-- {site} (offline message {message.id}); reply to "
            f"answer {message.email}\n")
    body = "<br>".join(html.escape(line) for line in message.message.splitlines())
    page = ("<!doctype html><html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(subject)}</title></head><body>"
            f"<p>{html.escape(message.name)} &lt;{html.escape(message.email)}&gt; left a "
            f"message on {html.escape(site)} at {html.escape(when)}:</p>"
            f"<blockquote>{body}</blockquote>"
            f"<p>— {html.escape(site)} (offline message {message.id})</p></body></html>")
    return subject, text, page
