"""``SurveyTemplates``: the survey templates' table on SQLite or PostgreSQL.

One row per template, its questions a JSON text column (a template is read and written
whole); ``UNIQUE (title)`` so that ``[surveys] on_close`` can name one by its title.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from frontdesk.adapters.storage.changes import Changes
from frontdesk.adapters.storage.database import (
    TrackedDatabase,
    open_database,
    parse_database_url,
    translated,
)
from frontdesk.adapters.storage.id_count import MAX_ID, CountedIds
from frontdesk.adapters.surveys.templates import (
    Question,
    Survey,
    SurveyDraft,
    SurveyError,
    TitleTakenError,
)

_COLUMNS = "id, title, questions, changed_by, changed_at"


def _row_id(value: int) -> bool:
    """Whether ``value`` can be a row's id: an id beyond the databases' integers is no
    template (SQLite raised OverflowError on it), as any other unknown one."""
    return 0 < value <= MAX_ID


class SurveyTemplates(Changes, CountedIds):
    _id_table = "survey_template"
    _id_error = SurveyError

    def __init__(self, url: str | Path, *, now: Callable[[], float] = time.time) -> None:
        target = parse_database_url(url)
        self._where = target.describe()
        self._now = now
        self._pg = target.kind == "postgresql"
        self.shared = target.kind != "sqlite"  # on PostgreSQL the nodes of a cluster share it
        self._init_changes()  # the replication link reads only on a change (Changes)
        with translated(self._where, "open the survey templates", SurveyError):
            self._db: TrackedDatabase = open_database(target, error=SurveyError)
            self._db.connect(reuse_if_open=True)
            self._create()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SurveyTemplates:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- changes --------------------------------------------------------------

    def create(self, draft: SurveyDraft, *, by: str) -> Survey:
        return self.create_many([draft], by=by)[0]

    def create_many(self, drafts: Sequence[SurveyDraft], *, by: str) -> list[Survey]:
        made = []
        with translated(self._where, "create a survey template", SurveyError), \
                self._db.atomic():
            for d in drafts:
                self._check_title(d.title, None)
                row = (d.title, _questions_json(d.questions), by, self._now())
                cur = self._sql(
                    "INSERT INTO survey_template (title, questions, changed_by, changed_at) "
                    "VALUES (?, ?, ?, ?)" + (" RETURNING id" if self._pg else ""), row)
                new_id = int(cur.fetchone()[0]) if self._pg else int(cur.lastrowid)
                made.append(self._survey((new_id, *row)))
        self._changed()
        return made

    def update(self, survey_id: int, draft: SurveyDraft, *, by: str) -> Survey | None:
        """The changed template, or None when there is no template ``survey_id``."""
        if not _row_id(survey_id):
            return None
        with translated(self._where, "change a survey template", SurveyError), \
                self._db.atomic():
            if self._sql("SELECT id FROM survey_template WHERE id = ?",
                         (survey_id,)).fetchone() is None:
                return None
            self._check_title(draft.title, survey_id)
            row = (draft.title, _questions_json(draft.questions), by, self._now())
            cur = self._sql(
                "UPDATE survey_template SET title = ?, questions = ?, changed_by = ?, "
                "changed_at = ? WHERE id = ?", (*row, survey_id))
            if cur.rowcount == 0:
                return None
        self._changed()
        return self._survey((survey_id, *row))

    def delete(self, survey_id: int) -> bool:
        if not _row_id(survey_id):
            return False
        with translated(self._where, "delete a survey template", SurveyError), \
                self._db.atomic():
            cur = self._sql("DELETE FROM survey_template WHERE id = ?", (survey_id,))
        self._changed()
        return bool(cur.rowcount)

    # -- a backup's copy (adapters/replication/survey_link.py) ------------------

    def accept(self, survey: Survey) -> None:
        """Store ``survey`` as the primary has it (its id, author, time). A template of the
        backup holding its title gives it up: the primary moved the title, and that
        template's own frame comes in the same flush."""
        row = (survey.id, survey.title, _questions_json(survey.questions), survey.changed_by,
               survey.changed_at)
        with translated(self._where, "store a replicated survey template", SurveyError), \
                self._db.atomic():
            self._sql("DELETE FROM survey_template WHERE id = ? OR lower(title) = ?",
                      (survey.id, survey.title.lower()))
            self._sql("INSERT INTO survey_template (id, title, questions, changed_by, "
                      "changed_at) VALUES (?, ?, ?, ?, ?)", row)
        self._changed()

    def keep_only(self, ids: set[int]) -> int:
        """Delete every template whose id is not in ``ids``; how many went."""
        gone = [t.id for t in self.templates() if t.id not in ids]
        for survey_id in gone:
            self.delete(survey_id)
        return len(gone)

    # -- reads ----------------------------------------------------------------

    def templates(self) -> list[Survey]:
        with translated(self._where, "list the survey templates", SurveyError):
            rows = self._sql(
                f"SELECT {_COLUMNS} FROM survey_template ORDER BY lower(title), id").fetchall()
        return [self._survey(r) for r in rows]

    def get(self, survey_id: int) -> Survey | None:
        if not _row_id(survey_id):  # any JSON integer may come (the operator's survey frame)
            return None
        with translated(self._where, "read a survey template", SurveyError):
            row = self._sql(f"SELECT {_COLUMNS} FROM survey_template WHERE id = ?",
                            (survey_id,)).fetchone()
        return None if row is None else self._survey(row)

    def find(self, title_or_id: str) -> Survey | None:
        """The template of this title (case-insensitive) or, if all digits, this id."""
        key = title_or_id.strip()
        if key.isascii() and key.isdigit() and len(key) <= 18:
            found = self.get(int(key))
            if found is not None:
                return found
        with translated(self._where, "read a survey template", SurveyError):
            row = self._sql(f"SELECT {_COLUMNS} FROM survey_template WHERE lower(title) = ?",
                            (key.lower(),)).fetchone()
        return None if row is None else self._survey(row)

    # -- internals ------------------------------------------------------------

    def _check_title(self, title: str, survey_id: int | None) -> None:
        rows = self._sql("SELECT id FROM survey_template WHERE lower(title) = ?",
                         (title.lower(),)).fetchall()
        if any(int(r[0]) != survey_id for r in rows):
            raise TitleTakenError(
                f"title: expected one no other survey has, got {title[:60]!r} (taken)")

    def _sql(self, sql: str, params: Sequence[object] = ()) -> Any:
        if self._pg:
            sql = sql.replace("?", "%s")
        return self._db.execute_sql(sql, params)

    def _create(self) -> None:
        key = "SERIAL PRIMARY KEY" if self._pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self._db.atomic():
            self._sql(
                f"CREATE TABLE IF NOT EXISTS survey_template (id {key}, "
                "title TEXT NOT NULL UNIQUE, questions TEXT NOT NULL, "
                "changed_by TEXT NOT NULL, changed_at DOUBLE PRECISION NOT NULL)")

    def _survey(self, r: Sequence[Any]) -> Survey:
        questions = tuple(
            Question(str(q["kind"]), str(q["text"]), bool(q["required"]),
                     tuple(str(o) for o in q["options"]))
            for q in json.loads(str(r[2])))
        return Survey(id=int(r[0]), title=str(r[1]), questions=questions,
                      changed_by=str(r[3]), changed_at=float(r[4]))


def _questions_json(questions: Sequence[Question]) -> str:
    return json.dumps([q.to_json() for q in questions], ensure_ascii=False)
