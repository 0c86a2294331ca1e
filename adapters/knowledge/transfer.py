"""Articles to and from JSON and CSV files: an import names the line and field of every
error and yields nothing if any line is bad (``KnowledgeBase.create_many`` then keeps all
or none).

CSV columns: ``title, questions, answer, tags, enabled``; several questions are separated by
a line break inside the quoted cell, tags by spaces, ``enabled`` is ``true`` or ``false``.
JSON: an array of objects with those keys (``questions`` and ``tags`` as arrays).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from frontdesk.adapters.knowledge.articles import Article, ArticleDraft, KnowledgeError

CSV_COLUMNS = ("title", "questions", "answer", "tags", "enabled")


@dataclass(frozen=True)
class Problem:
    line: int  # CSV: the record's first line in the file (the header is line 1); JSON: item + 1
    field: str
    message: str


class ImportRefusedError(KnowledgeError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = problems[0]
        super().__init__(
            f"import refused, nothing changed: {len(problems)} error(s); first at line "
            f"{first.line}, field {first.field}: {first.message}"
        )


def export_json(articles: Sequence[Article]) -> str:
    return json.dumps(
        [
            {
                "title": a.title,
                "questions": list(a.questions),
                "answer": a.answer,
                "tags": list(a.tags),
                "enabled": a.enabled,
            }
            for a in articles
        ],
        ensure_ascii=False,
        indent=1,
    )


def export_csv(articles: Sequence[Article]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in articles:
        writer.writerow(
            [
                a.title,
                "\n".join(a.questions),
                a.answer,
                " ".join(a.tags),
                "true" if a.enabled else "false",
            ]
        )
    return out.getvalue()


def import_json(text: str) -> list[ArticleDraft]:
    try:
        items: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportRefusedError(
            [Problem(1, "(file)", f"expected a JSON array, got: {exc}")]
        ) from None
    if not isinstance(items, list):
        raise ImportRefusedError(
            [Problem(1, "(file)", f"expected a JSON array of articles, got {type(items).__name__}")]
        )
    rows: list[tuple[int, dict[str, Any] | None, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            rows.append((i + 1, None, f"expected an object, got {type(item).__name__}"))
            continue
        rows.append((i + 1, item, ""))
    return _drafts(rows, lists=True)


def import_csv(text: str) -> list[ArticleDraft]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefusedError([Problem(1, "(header)", str(exc))]) from None
    if header is None or tuple(h.strip() for h in header) != CSV_COLUMNS:
        raise ImportRefusedError(
            [
                Problem(
                    1,
                    "(header)",
                    f"expected {','.join(CSV_COLUMNS)}, got {','.join(header or [])[:200]!r}",
                )
            ]
        )
    rows: list[tuple[int, dict[str, Any] | None, str]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if len(record) != len(CSV_COLUMNS):
                rows.append((line, None, f"expected {len(CSV_COLUMNS)} fields, got {len(record)}"))
            else:
                rows.append((line, dict(zip(CSV_COLUMNS, record, strict=True)), ""))
            line = reader.line_num + 1
    except csv.Error as exc:
        rows.append((line, None, str(exc)))
    return _drafts(rows, lists=False)


def _drafts(
    rows: Sequence[tuple[int, dict[str, Any] | None, str]], *, lists: bool
) -> list[ArticleDraft]:
    drafts, problems = [], []
    for line, item, message in rows:
        if item is None:
            problems.append(Problem(line, "(record)", message))
            continue
        try:
            drafts.append(_draft(item, lists).checked())
        except KnowledgeError as exc:
            field, _, detail = str(exc).partition(": ")
            problems.append(Problem(line, field, detail))
    if problems:
        raise ImportRefusedError(problems)
    return drafts


def _draft(item: dict[str, Any], lists: bool) -> ArticleDraft:
    questions, tags, enabled = (
        item.get("questions"),
        item.get("tags", []),
        item.get("enabled", True),
    )
    if lists:
        if not isinstance(questions, list):
            raise KnowledgeError(
                f"questions: expected an array of text, got {type(questions).__name__}"
            )
        if not isinstance(tags, list):
            raise KnowledgeError(f"tags: expected an array of text, got {type(tags).__name__}")
    else:
        questions = [q for q in str(questions).splitlines() if q.strip()]
        tags = str(tags).split()
        if enabled not in ("true", "false", ""):
            raise KnowledgeError(f"enabled: expected true or false, got {str(enabled)[:20]!r}")
        enabled = enabled != "false"
    # a title or answer of another type is named by ArticleDraft.checked
    title: Any = item.get("title")
    answer: Any = item.get("answer")
    return ArticleDraft(title, tuple(questions), answer, tuple(tags), enabled)
