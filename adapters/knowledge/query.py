"""Any text as a safe search: its words, each a plain term, never the engines' syntax."""

from __future__ import annotations

import re

from frontdesk.adapters.json_limits import text_problem
from frontdesk.adapters.knowledge.articles import KnowledgeError

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 32  # a long question's first words; more only slow the ranking
_WORD = re.compile(r"[^\W_]+")  # letters and digits: no quote, '*', '-', ':' or '^' survives


def terms(text: str) -> tuple[str, ...]:
    """The distinct lower-case words of ``text`` (at most ``MAX_TERMS``); a refusal as
    ``KnowledgeError`` for text that is not text or is longer than ``MAX_QUERY_CHARS``."""
    if not isinstance(text, str):
        raise KnowledgeError(f"query: expected text, got {type(text).__name__}")
    if len(text) > MAX_QUERY_CHARS:
        raise KnowledgeError(
            f"query: expected at most {MAX_QUERY_CHARS} characters, got {len(text)}"
        )
    problem = text_problem(text)
    if problem is not None:
        raise KnowledgeError(f"query: {problem}")
    words = dict.fromkeys(w.lower() for w in _WORD.findall(text))
    return tuple(words)[:MAX_TERMS]


def fts5_match(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: each word a quoted string, any of them may match."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def websearch(words: tuple[str, ...]) -> str:
    """A ``websearch_to_tsquery`` input: the words joined by ``or``."""
    return " or ".join(w for w in words if w != "or")
