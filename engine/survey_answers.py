"""Whether a visitor's answers fit a survey's questions (pure; the dialog's state machine
refuses an answer that does not, ``bad_answer``).

A question is ``{"kind": "rating" | "single" | "multiple" | "text", "text": ...,
"required": bool, "options": [...]}`` as the templates keep it. The answers are a list,
one per question in order: a rating an integer 1 to 5, a single choice one of the
options, a multiple choice a list of different options, a free text a string of at most
``MAX_ANSWER_CHARS``; ``None`` (or ``""``, ``[]``) leaves a question unanswered, which a
required one refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_ANSWER_CHARS = 2000


def answer_problem(questions: Sequence[dict[str, Any]], answers: Sequence[Any]) -> str | None:
    """Why ``answers`` do not fit ``questions`` (naming ``answers[i]``, what was expected
    and what came), or None when they do."""
    if len(answers) != len(questions):
        return f"answers: expected {len(questions)} answers (one per question), got {len(answers)}"
    for i, (q, a) in enumerate(zip(questions, answers, strict=True)):
        problem = _problem(q, a)
        if problem is not None:
            return f"answers[{i}]: {problem}"
    return None


def normalized(answers: Sequence[Any]) -> list[Any]:
    """The answers as kept: an empty text or choice list becomes None, a text trimmed."""
    out: list[Any] = []
    for a in answers:
        if isinstance(a, str):
            out.append(a.strip() or None)
        elif isinstance(a, list | tuple):
            out.append(list(a) or None)
        else:
            out.append(a)
    return out


def _problem(q: dict[str, Any], a: Any) -> str | None:
    kind, options = q.get("kind"), list(q.get("options", ()))
    empty = a is None or (isinstance(a, str) and not a.strip()) or (
        isinstance(a, list | tuple) and not a)
    if empty:
        return f"expected an answer (question {q.get('text', '')!r} is required), got none" \
            if q.get("required") else None
    if kind == "rating":
        if isinstance(a, bool) or not isinstance(a, int) or not 1 <= a <= 5:
            return f"expected a rating from 1 to 5, got {_shown(a)}"
    elif kind == "single":
        if not isinstance(a, str) or a not in options:
            return f"expected one of {_listed(options)}, got {_shown(a)}"
    elif kind == "multiple":
        if not isinstance(a, list | tuple) or not all(isinstance(x, str) for x in a):
            return f"expected a list of options among {_listed(options)}, got {_shown(a)}"
        unknown = [x for x in a if x not in options]
        if unknown:
            return f"expected options among {_listed(options)}, got {_shown(unknown[0])}"
        if len(set(a)) != len(a):
            return "expected different options, got one twice"
    elif kind == "text":
        if not isinstance(a, str):
            return f"expected a text, got {_shown(a)}"
        if len(a) > MAX_ANSWER_CHARS:
            return f"expected at most {MAX_ANSWER_CHARS} characters, got {len(a)}"
    else:
        return f"expected a question of a known kind, got {kind!r}"
    return None


def _listed(options: list[Any]) -> str:
    return ", ".join(repr(o) for o in options)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    return type(value).__name__
