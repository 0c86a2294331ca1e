"""Any text as a safe search: its words, each a plain term, never the engines' syntax."""

from __future__ import annotations

import re

from frontdesk.adapters.json_limits import text_problem
from frontdesk.adapters.knowledge.articles import KnowledgeError

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 32  # a long question's first words; more only slow the ranking
_WORD = re.compile(r"[^\W_]+")  # letters and digits: no quote, '*', '-', ':' or '^' survives
# words nearly every question holds: they match most articles (slow) and rank none
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "hello",
        "hi",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "s",
        "so",
        "that",
        "the",
        "there",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


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
    words = tuple(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
    kept = tuple(w for w in words if w not in STOPWORDS)
    return (kept or words)[:MAX_TERMS]


def fts5_match(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: each word a quoted string, any of them may match."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def websearch(words: tuple[str, ...]) -> str:
    """A ``websearch_to_tsquery`` input: the words joined by ``or``."""
    return " or ".join(w for w in words if w != "or")
