"""An article as the knowledge base keeps it, and the checks a new or changed one passes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontdesk.adapters.json_limits import text_problem
from frontdesk.adapters.text import TextError, render
from frontdesk.engine.errors import AdapterError

MAX_TITLE_CHARS = 200
MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 8_000
MAX_TAGS = 20
TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class KnowledgeError(AdapterError):
    """An article that cannot be taken, a query refused, or the knowledge database failed."""


@dataclass(frozen=True)
class ArticleDraft:
    """What a manager writes: everything of an article but its id and who changed it when."""

    title: str
    questions: tuple[str, ...]
    answer: str  # markdown source (the operators' subset)
    tags: tuple[str, ...] = ()
    enabled: bool = True

    def checked(self) -> ArticleDraft:
        """This draft, trimmed, or ``KnowledgeError`` naming the field and what came."""
        title = _text(self.title, "title", MAX_TITLE_CHARS)
        if len(self.questions) > MAX_QUESTIONS:
            raise KnowledgeError(
                f"questions: expected at most {MAX_QUESTIONS}, got {len(self.questions)}"
            )
        questions = tuple(
            _text(q, f"questions[{i}]", MAX_QUESTION_CHARS) for i, q in enumerate(self.questions)
        )
        if not questions:
            raise KnowledgeError("questions: expected at least one question, got none")
        answer = _text(self.answer, "answer", MAX_ANSWER_CHARS)
        try:
            render(answer, "markdown")
        except TextError as exc:
            raise KnowledgeError(f"answer: {exc}") from None
        if len(self.tags) > MAX_TAGS:
            raise KnowledgeError(f"tags: expected at most {MAX_TAGS}, got {len(self.tags)}")
        for i, tag in enumerate(self.tags):
            if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag):
                raise KnowledgeError(
                    f"tags[{i}]: expected lower-case letters, digits, '-' or '_' "
                    f"(at most 40), got {str(tag)[:50]!r}"
                )
        if not isinstance(self.enabled, bool):
            raise KnowledgeError(f"enabled: expected true or false, got {self.enabled!r}")
        return ArticleDraft(title, questions, answer, tuple(dict.fromkeys(self.tags)), self.enabled)


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    questions: tuple[str, ...]
    answer: str  # markdown source
    answer_html: str  # its safe HTML (frontdesk.adapters.text)
    tags: tuple[str, ...]
    enabled: bool
    changed_by: str
    changed_at: float  # seconds since the epoch


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise KnowledgeError(f"{field}: expected text, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise KnowledgeError(f"{field}: expected text, got nothing")
    if len(value) > limit:
        raise KnowledgeError(f"{field}: expected at most {limit} characters, got {len(value)}")
    problem = text_problem(value)
    if problem is not None:
        raise KnowledgeError(f"{field}: {problem}")
    return value
