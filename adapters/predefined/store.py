"""``PredefinedAnswers``: the predefined answers' table on SQLite or PostgreSQL.

One table for both kinds: ``scope`` is ``''`` for a shared answer and the owner's login
for a personal one, so ``UNIQUE (scope, shortcut)`` keeps a shortcut unique among the
shared answers and among each operator's own (no shortcut: ``NULL``, never a clash).
A personal shortcut may repeat a shared one: the console offers the personal one first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from frontdesk.adapters.predefined.answers import (
    Answer,
    AnswerDraft,
    PredefinedError,
    ShortcutTakenError,
)
from frontdesk.adapters.storage.changes import Changes
from frontdesk.adapters.storage.database import (
    TrackedDatabase,
    open_database,
    parse_database_url,
    translated,
)
from frontdesk.adapters.storage.id_count import CountedIds

_COLUMNS = "id, scope, title, body, shortcut, changed_by, changed_at"


class PredefinedAnswers(Changes, CountedIds):
    _id_table = "predefined_answer"
    _id_error = PredefinedError

    def __init__(self, url: str | Path, *, now: Callable[[], float] = time.time) -> None:
        target = parse_database_url(url)
        self._where = target.describe()
        self._now = now
        self._pg = target.kind == "postgresql"
        self._init_changes()  # the replication link reads only on a change (Changes)
        with translated(self._where, "open the predefined answers", PredefinedError):
            self._db: TrackedDatabase = open_database(target, error=PredefinedError)
            self._db.connect(reuse_if_open=True)
            self._create()

    def close(self) -> None:
        self._db.close()

    @property
    def is_shared(self) -> bool:
        """On PostgreSQL the nodes of a cluster share the table: nothing to replicate."""
        return self._pg

    def __enter__(self) -> PredefinedAnswers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- changes --------------------------------------------------------------

    def create(self, draft: AnswerDraft, *, owner: str | None, by: str) -> Answer:
        """A new answer: shared (``owner`` None) or ``owner``'s own."""
        return self.create_many([draft], owner=owner, by=by)[0]

    def create_many(self, drafts: Sequence[AnswerDraft], *, owner: str | None,
                    by: str) -> list[Answer]:
        checked = [d.checked() for d in drafts]
        scope = owner or ""
        made = []
        with translated(self._where, "create a predefined answer", PredefinedError), \
                self._db.atomic():
            for d in checked:
                self._check_shortcut(scope, d.shortcut, None)
                row = (scope, d.title, d.text, d.shortcut, by, self._now())
                cur = self._sql(
                    "INSERT INTO predefined_answer (scope, title, body, shortcut, changed_by, "
                    "changed_at) VALUES (?, ?, ?, ?, ?, ?)" + (" RETURNING id" if self._pg else ""),
                    row,
                )
                new_id = int(cur.fetchone()[0]) if self._pg else int(cur.lastrowid)
                made.append(self._answer((new_id, *row)))
        self._changed()
        return made

    def update(self, answer_id: int, draft: AnswerDraft, *, owner: str | None,
               by: str) -> Answer | None:
        """The changed answer, or None when ``owner`` has no answer ``answer_id`` of its kind."""
        d = draft.checked()
        scope = owner or ""
        with translated(self._where, "change a predefined answer", PredefinedError), \
                self._db.atomic():
            self._check_shortcut(scope, d.shortcut, answer_id)
            row = (d.title, d.text, d.shortcut, by, self._now())
            cur = self._sql(
                "UPDATE predefined_answer SET title = ?, body = ?, shortcut = ?, changed_by = ?, "
                "changed_at = ? WHERE id = ? AND scope = ?",
                (*row, answer_id, scope),
            )
            if cur.rowcount == 0:
                return None
        self._changed()
        return self._answer((answer_id, scope, *row))

    def delete(self, answer_id: int, *, owner: str | None) -> bool:
        with translated(self._where, "delete a predefined answer", PredefinedError), \
                self._db.atomic():
            cur = self._sql("DELETE FROM predefined_answer WHERE id = ? AND scope = ?",
                            (answer_id, owner or ""))
        if cur.rowcount:
            self._changed()
        return bool(cur.rowcount)

    # -- a backup's copy (adapters/replication/predefined_link.py) ------------

    def accept(self, answer: Answer) -> None:
        """Store ``answer`` as the primary has it: its id, owner, author and time. Another
        answer of the same kind holding its shortcut here gives it up (the primary moved
        it; that answer's own frame follows with its new form)."""
        d = AnswerDraft(answer.title, answer.text, answer.shortcut).checked()
        scope = answer.owner or ""
        row = (answer.id, scope, d.title, d.text, d.shortcut, answer.changed_by,
               answer.changed_at)
        with translated(self._where, "store a replicated predefined answer", PredefinedError), \
                self._db.atomic():
            self._sql("DELETE FROM predefined_answer WHERE id = ?", (answer.id,))
            if d.shortcut is not None:
                self._sql("UPDATE predefined_answer SET shortcut = NULL "
                          "WHERE scope = ? AND shortcut = ?", (scope, d.shortcut))
            self._sql(f"INSERT INTO predefined_answer ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      row)
        self._changed()

    def keep_only(self, ids: set[int]) -> int:
        """Delete every answer whose id is not in ``ids``; how many went."""
        gone = [a.id for a in self.every() if a.id not in ids]
        if gone:
            with translated(self._where, "delete replicated predefined answers",
                            PredefinedError), self._db.atomic():
                for answer_id in gone:
                    self._sql("DELETE FROM predefined_answer WHERE id = ?", (answer_id,))
            self._changed()
        return len(gone)

    # -- reads ----------------------------------------------------------------

    def shared(self) -> list[Answer]:
        return self._list("scope = ?", ("",))

    def personal(self, owner: str) -> list[Answer]:
        if not owner:
            return []
        return self._list("scope = ?", (owner,))

    def every(self) -> list[Answer]:
        """Every answer, shared and personal, by id (what the replication link sends)."""
        with translated(self._where, "list the predefined answers", PredefinedError):
            rows = self._sql(f"SELECT {_COLUMNS} FROM predefined_answer ORDER BY id").fetchall()
        return [self._answer(r) for r in rows]

    def visible_to(self, login: str) -> list[Answer]:
        """What an operator may insert: their own answers first, then the shared ones."""
        return self.personal(login) + self.shared()

    # -- internals ------------------------------------------------------------

    def _list(self, where: str, params: Sequence[object]) -> list[Answer]:
        with translated(self._where, "list the predefined answers", PredefinedError):
            rows = self._sql(
                f"SELECT {_COLUMNS} FROM predefined_answer WHERE {where} "
                "ORDER BY lower(title), id", params,
            ).fetchall()
        return [self._answer(r) for r in rows]

    def _check_shortcut(self, scope: str, shortcut: str | None, answer_id: int | None) -> None:
        if shortcut is None:
            return
        rows = self._sql(
            "SELECT id, title FROM predefined_answer WHERE scope = ? AND shortcut = ?",
            (scope, shortcut),
        ).fetchall()
        for other_id, title in rows:
            if other_id != answer_id:
                kind = "shared answer" if not scope else "answer of yours"
                raise ShortcutTakenError(
                    f"shortcut: expected one no other {kind} has, got /{shortcut} "
                    f"(already the shortcut of {str(title)[:60]!r})")

    def _sql(self, sql: str, params: Sequence[object] = ()) -> Any:
        if self._pg:
            sql = sql.replace("?", "%s")
        return self._db.execute_sql(sql, params)

    def _create(self) -> None:
        key = "SERIAL PRIMARY KEY" if self._pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self._db.atomic():
            self._sql(
                f"CREATE TABLE IF NOT EXISTS predefined_answer (id {key}, scope TEXT NOT NULL, "
                "title TEXT NOT NULL, body TEXT NOT NULL, shortcut TEXT, "
                "changed_by TEXT NOT NULL, changed_at DOUBLE PRECISION NOT NULL, "
                "UNIQUE (scope, shortcut))"
            )

    def _answer(self, r: Sequence[Any]) -> Answer:
        return Answer(
            id=int(r[0]),
            owner=str(r[1]) or None,
            title=str(r[2]),
            text=str(r[3]),
            shortcut=None if r[4] is None else str(r[4]),
            changed_by=str(r[5]),
            changed_at=float(r[6]),
        )
