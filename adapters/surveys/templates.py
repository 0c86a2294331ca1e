"""A survey template as the store keeps it, and the checks a new or changed one passes.

``draft_of`` reads a JSON body (``{"title": ..., "questions": [...]}``) into a checked
``SurveyDraft``, or raises ``SurveyError`` naming the field (``questions[2].options``),
what was expected and what came.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frontdesk.adapters.json_limits import text_problem
from frontdesk.engine.errors import AdapterError

QUESTION_KINDS = ("rating", "single", "multiple", "text")
MAX_TITLE_CHARS = 120
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 120
MAX_QUESTIONS = 20
MIN_OPTIONS, MAX_OPTIONS = 2, 10
SURVEY_FIELDS = ("title", "questions")
QUESTION_FIELDS = ("kind", "text", "required", "options")


class SurveyError(AdapterError):
    """A template that cannot be taken, or the database failed."""


class TitleTakenError(SurveyError):
    """Another template already has this title."""


@dataclass(frozen=True)
class Question:
    """One question: ``kind`` one of ``QUESTION_KINDS``; ``options`` only for a choice."""

    kind: str
    text: str
    required: bool = False
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "required": self.required,
                "options": list(self.options)}


@dataclass(frozen=True)
class SurveyDraft:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Survey:
    id: int
    title: str
    questions: tuple[Question, ...]
    changed_by: str
    changed_at: float  # seconds since the epoch

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title,
                "questions": [q.to_json() for q in self.questions],
                "changed_by": self.changed_by, "changed_at": self.changed_at}


def draft_of(body: object) -> SurveyDraft:
    """The checked draft of a JSON body, or ``SurveyError`` naming the field."""
    if not isinstance(body, dict):
        raise SurveyError(f"body: expected a JSON object, got {_kind(body)}")
    _no_unknown(body, SURVEY_FIELDS, "")
    title = _text(body.get("title"), "title", MAX_TITLE_CHARS)
    raw = body.get("questions")
    if not isinstance(raw, list):
        raise SurveyError(f"questions: expected a list of questions, got {_kind(raw)}")
    if not 1 <= len(raw) <= MAX_QUESTIONS:
        raise SurveyError(f"questions: expected 1 to {MAX_QUESTIONS} questions, got {len(raw)}")
    return SurveyDraft(title, tuple(question_of(q, f"questions[{i}]") for i, q in enumerate(raw)))


def question_of(raw: object, where: str) -> Question:
    if not isinstance(raw, dict):
        raise SurveyError(f"{where}: expected a JSON object, got {_kind(raw)}")
    _no_unknown(raw, QUESTION_FIELDS, f"{where}.")
    kind = raw.get("kind")
    if kind not in QUESTION_KINDS:
        got = repr(kind)[:40] if isinstance(kind, str) else _kind(kind)
        raise SurveyError(f"{where}.kind: expected one of {', '.join(QUESTION_KINDS)}, got {got}")
    text = _text(raw.get("text"), f"{where}.text", MAX_QUESTION_CHARS)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise SurveyError(f"{where}.required: expected true or false, got {_kind(required)}")
    options = raw.get("options", [])
    if kind in ("single", "multiple"):
        if not isinstance(options, list):
            raise SurveyError(f"{where}.options: expected a list of texts, got {_kind(options)}")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise SurveyError(f"{where}.options: expected {MIN_OPTIONS} to {MAX_OPTIONS} "
                              f"options, got {len(options)}")
        texts = tuple(_text(o, f"{where}.options[{i}]", MAX_OPTION_CHARS)
                      for i, o in enumerate(options))
        if len(set(texts)) != len(texts):
            raise SurveyError(f"{where}.options: expected different options, got one twice")
        return Question(str(kind), text, required, texts)
    if options not in ([], None):
        raise SurveyError(f"{where}.options: expected none for a {kind} question, "
                          f"got {_kind(options)}")
    return Question(str(kind), text, required)


def _no_unknown(raw: dict[Any, Any], known: tuple[str, ...], prefix: str) -> None:
    unknown = sorted(str(k) for k in set(raw) - set(known))
    if unknown:
        raise SurveyError(f"{prefix}{unknown[0][:40]}: expected one of {', '.join(known)}, "
                          "got an unknown field")


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    return {str: "text", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise SurveyError(f"{field}: expected text, got {_kind(value)}")
    value = value.strip()
    if not value:
        raise SurveyError(f"{field}: expected text, got nothing")
    if len(value) > limit:
        raise SurveyError(f"{field}: expected at most {limit} characters, got {len(value)}")
    problem = text_problem(value)
    if problem is not None:
        raise SurveyError(f"{field}: {problem}")
    return value
