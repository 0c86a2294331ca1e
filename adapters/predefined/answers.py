"""A predefined answer as the store keeps it, and the checks a new or changed one passes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontdesk.adapters.json_limits import text_problem
from frontdesk.engine.errors import AdapterError

MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 4_000  # the console's answer box takes as much
SHORTCUT_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")


class PredefinedError(AdapterError):
    """An answer that cannot be taken, or the database failed."""


class ShortcutTakenError(PredefinedError):
    """Another answer of the same kind already has this shortcut."""


@dataclass(frozen=True)
class AnswerDraft:
    """What a person writes: a title, a text and an optional shortcut (without its ``/``)."""

    title: str
    text: str
    shortcut: str | None = None

    def checked(self) -> AnswerDraft:
        """This draft, trimmed (a shortcut lower-cased, its ``/`` dropped), or
        ``PredefinedError`` naming the field, what was expected and what came."""
        title = _text(self.title, "title", MAX_TITLE_CHARS)
        text = _text(self.text, "text", MAX_TEXT_CHARS)
        shortcut = self.shortcut
        if shortcut is not None:
            if not isinstance(shortcut, str):
                raise PredefinedError(
                    f"shortcut: expected text or null, got {type(shortcut).__name__}")
            shortcut = shortcut.strip().removeprefix("/").lower() or None
            if shortcut is not None and not SHORTCUT_PATTERN.fullmatch(shortcut):
                raise PredefinedError(
                    "shortcut: expected 1 to 30 lower-case letters, digits, '-' or '_' "
                    f"(starting with a letter or digit), got {str(self.shortcut)[:40]!r}")
        return AnswerDraft(title, text, shortcut)


@dataclass(frozen=True)
class Answer:
    id: int
    owner: str | None  # None: shared; else the login of the operator it belongs to
    title: str
    text: str
    shortcut: str | None
    changed_by: str
    changed_at: float  # seconds since the epoch

    @property
    def shared(self) -> bool:
        return self.owner is None


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise PredefinedError(f"{field}: expected text, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise PredefinedError(f"{field}: expected text, got nothing")
    if len(value) > limit:
        raise PredefinedError(f"{field}: expected at most {limit} characters, got {len(value)}")
    problem = text_problem(value)
    if problem is not None:
        raise PredefinedError(f"{field}: {problem}")
    return value
