"""``KnowledgeBase``: the articles' table on SQLite or PostgreSQL and the one search over it.

SQLite keeps a shadow FTS5 table (rowid = the article's id) written in the same
transaction as the article and ranked by ``bm25``; PostgreSQL keeps a ``tsvector``
column beside the article, ranked by ``ts_rank_cd`` against ``websearch_to_tsquery``.
Both see only ``query.terms`` of what was asked. Disabled articles are never found.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontdesk.adapters.knowledge import query
from frontdesk.adapters.knowledge.articles import Article, ArticleDraft, KnowledgeError
from frontdesk.adapters.storage.changes import Changes
from frontdesk.adapters.storage.database import (
    TrackedDatabase,
    open_database,
    parse_database_url,
    translated,
)
from frontdesk.adapters.storage.id_count import CountedIds
from frontdesk.adapters.text import render

SNIPPET_CHARS = 160
_COLUMNS = "id, title, questions, answer, tags, enabled, changed_by, changed_at"


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # higher is better; comparable within one search only
    snippet: str  # the answer's plain text, shortened


class KnowledgeBase(Changes, CountedIds):
    _id_table = "knowledge_article"
    _id_error = KnowledgeError

    def __init__(self, url: str | Path, *, now: Callable[[], float] = time.time) -> None:
        target = parse_database_url(url)
        self._where = target.describe()
        self._now = now
        self._pg = target.kind == "postgresql"
        self._init_changes()  # the replication link reads only on a change (Changes)
        with translated(self._where, "open the knowledge database", KnowledgeError):
            self._db: TrackedDatabase = open_database(target, error=KnowledgeError)
            self._db.connect(reuse_if_open=True)
            self._create()

    def close(self) -> None:
        self._db.close()

    @property
    def shared(self) -> bool:
        """On PostgreSQL the nodes of a cluster share the base: nothing to replicate."""
        return self._pg

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- changes --------------------------------------------------------------

    def create(self, draft: ArticleDraft, *, by: str) -> Article:
        return self.create_many([draft], by=by)[0]

    def create_many(self, drafts: Sequence[ArticleDraft], *, by: str) -> list[Article]:
        """All of ``drafts`` in one transaction, or none (the first bad one's error)."""
        checked = [d.checked() for d in drafts]
        made = []
        with translated(self._where, "create an article", KnowledgeError), self._db.atomic():
            for d in checked:
                row = (d.title, json.dumps(d.questions), d.answer, json.dumps(d.tags),
                       d.enabled, by, self._now())
                cur = self._sql(
                    "INSERT INTO knowledge_article (title, questions, answer, tags, enabled, "
                    "changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + (" RETURNING id" if self._pg else ""),
                    row,
                )
                new_id = int(cur.fetchone()[0]) if self._pg else int(cur.lastrowid)
                self._index(new_id, d)
                made.append(self._article((new_id, *row)))
        self._changed()
        return made

    def update(self, article_id: int, draft: ArticleDraft, *, by: str) -> Article:
        d = draft.checked()
        row = (d.title, json.dumps(d.questions), d.answer, json.dumps(d.tags), d.enabled, by,
               self._now())
        with translated(self._where, "change an article", KnowledgeError), self._db.atomic():
            cur = self._sql(
                "UPDATE knowledge_article SET title = ?, questions = ?, answer = ?, tags = ?, "
                "enabled = ?, changed_by = ?, changed_at = ? WHERE id = ?",
                (*row, article_id),
            )
            if cur.rowcount == 0:
                raise KnowledgeError(f"article: expected the id of an article, got {article_id}")
            self._index(article_id, d)
        self._changed()
        return self._article((article_id, *row))

    def delete(self, article_id: int) -> bool:
        with translated(self._where, "delete an article", KnowledgeError), self._db.atomic():
            cur = self._sql("DELETE FROM knowledge_article WHERE id = ?", (article_id,))
            if not self._pg:
                self._sql("DELETE FROM knowledge_fts WHERE rowid = ?", (article_id,))
        self._changed()
        return bool(cur.rowcount)

    # -- a backup's copy (adapters/replication/knowledge_link.py) --------------

    def accept(self, article: Article) -> None:
        """Store ``article`` as the primary has it: its id, who changed it and when."""
        d = ArticleDraft(article.title, article.questions, article.answer, article.tags,
                         article.enabled).checked()
        row = (article.id, d.title, json.dumps(d.questions), d.answer, json.dumps(d.tags),
               d.enabled, article.changed_by, article.changed_at)
        with translated(self._where, "store a replicated article", KnowledgeError), \
                self._db.atomic():
            self._sql("DELETE FROM knowledge_article WHERE id = ?", (article.id,))
            self._sql(
                "INSERT INTO knowledge_article (id, title, questions, answer, tags, enabled, "
                "changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            self._index(article.id, d)
        self._changed()

    def keep_only(self, ids: set[int]) -> int:
        """Delete every article whose id is not in ``ids``; how many went."""
        gone = [a.id for a in self.articles() if a.id not in ids]
        for article_id in gone:
            self.delete(article_id)
        return len(gone)

    # -- reads ----------------------------------------------------------------

    def get(self, article_id: int) -> Article | None:
        with translated(self._where, "read an article", KnowledgeError):
            rows = self._sql(
                f"SELECT {_COLUMNS} FROM knowledge_article WHERE id = ?", (article_id,)
            ).fetchall()
        return self._article(rows[0]) if rows else None

    def articles(self) -> list[Article]:
        with translated(self._where, "list the articles", KnowledgeError):
            rows = self._sql(f"SELECT {_COLUMNS} FROM knowledge_article ORDER BY id").fetchall()
        return [self._article(r) for r in rows]

    def search(self, text: str, *, limit: int = 5) -> list[Hit]:
        """The enabled articles that best answer ``text``, best first (at most ``limit``);
        any text is answered (no words: no hits) or refused with ``KnowledgeError``."""
        words = query.terms(text)
        if not words or limit <= 0:
            return []
        cols = ", ".join(f"a.{c.strip()}" for c in _COLUMNS.split(","))
        with translated(self._where, "search the articles", KnowledgeError):
            if self._pg:
                rows = self._sql(
                    f"SELECT {cols}, ts_rank_cd(a.search, q) AS score FROM knowledge_article a, "
                    "websearch_to_tsquery('english', ?) q WHERE a.enabled AND a.search @@ q "
                    "ORDER BY score DESC, a.id LIMIT ?",
                    (query.websearch(words), limit),
                ).fetchall()
            else:
                # Ranked in the index alone, then the few best rows read: joining first read
                # every matching article's row before the sort (docs/performance.md,
                # "Knowledge search"). Disabled articles are skipped after the ranking, so it
                # keeps ``limit`` plus as many as are disabled: the same hits as a join.
                disabled = self._sql(
                    "SELECT count(*) FROM knowledge_article WHERE NOT enabled"
                ).fetchone()[0]
                rows = self._sql(
                    f"SELECT {cols}, f.score FROM (SELECT rowid, "
                    "-bm25(knowledge_fts, 10.0, 5.0, 1.0, 2.0) AS score FROM knowledge_fts "
                    "WHERE knowledge_fts MATCH ? ORDER BY score DESC, rowid LIMIT ?) f "
                    "JOIN knowledge_article a ON a.id = f.rowid WHERE a.enabled "
                    "ORDER BY f.score DESC, a.id LIMIT ?",
                    (query.fts5_match(words), limit + int(disabled), limit),
                ).fetchall()
        hits = []
        for r in rows:
            article = self._article(r[:-1])
            text_form = render(article.answer, "markdown").text
            hits.append(Hit(article, float(r[-1]), _shorten(text_form)))
        return hits

    def match_ids(self, text: str, *, limit: int = 5) -> list[int]:
        """The ids ``search`` would rank, without reading the articles (the bench's floor)."""
        words = query.terms(text)
        if not words:
            return []
        with translated(self._where, "search the articles", KnowledgeError):
            if self._pg:
                rows = self._sql(
                    "SELECT id FROM knowledge_article, websearch_to_tsquery('english', ?) q "
                    "WHERE enabled AND search @@ q ORDER BY ts_rank_cd(search, q) DESC LIMIT ?",
                    (query.websearch(words), limit),
                ).fetchall()
            else:
                rows = self._sql(  # the ranking of ``search``, ties by id as there
                    "SELECT rowid, -bm25(knowledge_fts, 10.0, 5.0, 1.0, 2.0) AS score "
                    "FROM knowledge_fts WHERE knowledge_fts MATCH ? "
                    "ORDER BY score DESC, rowid LIMIT ?",
                    (query.fts5_match(words), limit),
                ).fetchall()
        return [int(r[0]) for r in rows]

    # -- internals ------------------------------------------------------------

    def _sql(self, sql: str, params: Sequence[object] = ()) -> Any:
        if self._pg:
            sql = sql.replace("?", "%s")
        return self._db.execute_sql(sql, params)

    def _create(self) -> None:
        key = "SERIAL PRIMARY KEY" if self._pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
        boolean = "BOOLEAN" if self._pg else "INTEGER"
        extra = ", search tsvector" if self._pg else ""
        with self._db.atomic():
            self._sql(
                f"CREATE TABLE IF NOT EXISTS knowledge_article (id {key}, title TEXT NOT NULL, "
                "questions TEXT NOT NULL, answer TEXT NOT NULL, tags TEXT NOT NULL, "
                f"enabled {boolean} NOT NULL, changed_by TEXT NOT NULL, "
                f"changed_at DOUBLE PRECISION NOT NULL{extra})"
            )
            if self._pg:
                self._sql(
                    "CREATE INDEX IF NOT EXISTS knowledge_article_search "
                    "ON knowledge_article USING GIN (search)"
                )
            else:
                self._sql(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5("
                    "title, questions, answer, tags, tokenize = 'porter unicode61')"
                )
                # the disabled articles, counted by each search without a table scan
                self._sql(
                    "CREATE INDEX IF NOT EXISTS knowledge_article_disabled "
                    "ON knowledge_article (id) WHERE NOT enabled"
                )

    def _index(self, article_id: int, d: ArticleDraft) -> None:
        answer = render(d.answer, "markdown").text
        questions = "\n".join(d.questions)
        tags = " ".join(d.tags)
        if self._pg:
            self._sql(
                "UPDATE knowledge_article SET search = "
                "setweight(to_tsvector('english', ?), 'A') || "
                "setweight(to_tsvector('english', ?), 'A') || "
                "setweight(to_tsvector('english', ?), 'B') || "
                "setweight(to_tsvector('english', ?), 'C') WHERE id = ?",
                (d.title, questions, tags, answer, article_id),
            )
            return
        self._sql("DELETE FROM knowledge_fts WHERE rowid = ?", (article_id,))
        self._sql(
            "INSERT INTO knowledge_fts (rowid, title, questions, answer, tags) "
            "VALUES (?, ?, ?, ?, ?)",
            (article_id, d.title, questions, answer, tags),
        )

    def _article(self, r: Sequence[Any]) -> Article:
        answer = str(r[3])
        return Article(
            id=int(r[0]),
            title=str(r[1]),
            questions=tuple(json.loads(r[2])),
            answer=answer,
            answer_html=render(answer, "markdown").html,
            tags=tuple(json.loads(r[4])),
            enabled=bool(r[5]),
            changed_by=str(r[6]),
            changed_at=float(r[7]),
        )


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
