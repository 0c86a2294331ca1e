"""The knowledge base's stream on the replication link: ``repl.knowledge``, primary -> backup.

    primary -> backup   repl.knowledge {article: {id, title, questions, answer, tags,
                                                  enabled, changed_by, changed_at}}
                                                        an article, new or changed
                        repl.knowledge {keep: [article id, ...], last_id}   the articles there are
                                                   now, and the largest id ever given

The stream of a table of rows (``row_link.py``: what changed since the last flush, then the
ids left, a new link sends all): the base's ``changes`` counter, the articles in full. The
backup checks each article as the routes check a manager's (``ArticleDraft.checked``) and
keeps the primary's id, author and time. A base on PostgreSQL is the cluster's shared one: no
link is made for it.
"""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase, KnowledgeError
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.row_link import RowLink, positive_id, row_of

KIND = "repl.knowledge"


class KnowledgeLink(RowLink[Article]):
    def __init__(self, knowledge: KnowledgeBase) -> None:
        super().__init__(
            KIND, "article", "the knowledge base",
            changes=lambda: knowledge.changes, read_all=knowledge.articles,
            accept=knowledge.accept, keep_only=knowledge.keep_only,
            last_id=knowledge.last_id, raise_last_id=knowledge.raise_last_id,
            to_wire=article_to_wire, from_wire=article_from_wire,
        )


def article_to_wire(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "questions": list(a.questions), "answer": a.answer,
            "tags": list(a.tags), "enabled": a.enabled, "changed_by": a.changed_by,
            "changed_at": a.changed_at}


def article_from_wire(frame: dict[str, Any]) -> Article:
    meta = row_of(frame, KIND, "article")
    try:
        article_id, questions, tags = positive_id(meta["id"]), meta["questions"], meta["tags"]
        by, at = meta["changed_by"], meta["changed_at"]
        if not isinstance(questions, list) or not isinstance(tags, list):
            raise TypeError("questions and tags: expected arrays")
        if not isinstance(by, str) or not isinstance(at, (int, float)):
            raise TypeError("changed_by and changed_at: expected text and a number")
        d = ArticleDraft(meta["title"], tuple(questions), meta["answer"], tuple(tags),
                         meta["enabled"]).checked()
        return Article(id=article_id, title=d.title, questions=d.questions, answer=d.answer,
                       answer_html="", tags=d.tags, enabled=d.enabled, changed_by=by,
                       changed_at=float(at))
    except (KeyError, TypeError, KnowledgeError) as e:
        raise ReplicationError(f"{KIND}: expected an article's fields: {e}") from None
