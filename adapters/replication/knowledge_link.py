"""The knowledge base's stream on the replication link: ``repl.knowledge``, primary -> backup.

    primary -> backup   repl.knowledge {article: {id, title, questions, answer, tags,
                                                  enabled, changed_by, changed_at}}
                                                        an article, new or changed
                        repl.knowledge {keep: [article id, ...]}   the articles there are now

Sent before the journal's records at each wake of the primary's stream loop once the base
changed (``KnowledgeBase.changes``, bumped by every change, so a wake with no change reads
nothing), as the gallery's items are (``gallery_link.py``): each article this link has not
sent in its present form, then, when the set of articles changed, the whole set of ids, so
the backup deletes those a manager deleted. A new link sends the whole base again. The
backup checks each article as the routes check a manager's (``ArticleDraft.checked``); a
frame that does not fit breaks the protocol and ends the link. A base on PostgreSQL is the
cluster's shared one: no link is made for it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

import trio

from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase, KnowledgeError
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.engine.errors import AdapterError

KIND = "repl.knowledge"
FIELDS = ("id", "title", "questions", "answer", "tags", "enabled", "changed_by", "changed_at")

log = logging.getLogger("frontdesk.replication")


class KnowledgeLink:
    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._sent: weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, ...]]] = (
            weakref.WeakKeyDictionary())
        self._kept: weakref.WeakKeyDictionary[Any, frozenset[int]] = weakref.WeakKeyDictionary()
        self._seen: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.articles_sent = 0
        self.articles_taken = 0

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send what changed in the knowledge base since the last flush on ``channel``."""
        changes = self.knowledge.changes
        if self._seen.get(channel) == changes:
            return  # nothing changed since the last flush: no read on the hot path
        sent = self._sent.setdefault(channel, {})
        try:
            articles = await trio.to_thread.run_sync(self.knowledge.articles)
        except AdapterError as e:
            log.warning("cannot read the knowledge base to replicate it: %s", e)
            return
        for article in articles:
            wire = article_to_wire(article)
            form = tuple(str(wire[k]) for k in FIELDS)
            if sent.get(article.id) == form:
                continue
            await _send(channel, send_lock, {"type": KIND, "article": wire})
            sent[article.id] = form
            self.articles_sent += 1
        now = frozenset(a.id for a in articles)
        if self._kept.get(channel) != now:  # the first flush on a link sends it too
            await _send(channel, send_lock, {"type": KIND, "keep": sorted(now)})
            self._kept[channel] = now
            for gone in set(sent) - now:
                del sent[gone]
        self._seen[channel] = changes

    async def received(self, frame: dict[str, Any]) -> None:
        """Store an article the primary sent, or delete those it no longer has. A frame that
        does not fit breaks the protocol (ReplicationError); a failing store is logged."""
        keep = frame.get("keep")
        if keep is not None:
            if not isinstance(keep, list) or not all(
                    isinstance(i, int) and not isinstance(i, bool) for i in keep):
                raise ReplicationError(f"{KIND}: field 'keep' expected a list of ids")
            await self._store(self.knowledge.keep_only, set(keep))
        else:
            await self._store(self.knowledge.accept, article_from_wire(frame))
            self.articles_taken += 1

    async def _store(self, change: Callable[[Any], object], arg: Any) -> None:
        try:
            await trio.to_thread.run_sync(change, arg)
        except AdapterError as e:  # KnowledgeError too: the backup's base failed
            log.warning("cannot store the replicated knowledge base: %s", e)


def article_to_wire(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "questions": list(a.questions), "answer": a.answer,
            "tags": list(a.tags), "enabled": a.enabled, "changed_by": a.changed_by,
            "changed_at": a.changed_at}


def article_from_wire(frame: dict[str, Any]) -> Article:
    meta = frame.get("article")
    if not isinstance(meta, dict):
        raise ReplicationError(f"{KIND}: expected field 'article' (an object) or 'keep'")
    try:
        article_id, questions, tags = meta["id"], meta["questions"], meta["tags"]
        by, at = meta["changed_by"], meta["changed_at"]
        if not isinstance(article_id, int) or isinstance(article_id, bool) or article_id < 1:
            raise TypeError(f"id: expected a positive whole number, got {article_id!r:.40}")
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


async def _send(channel: Channel, send_lock: trio.Lock | None, frame: dict[str, Any]) -> None:
    if send_lock is None:
        await channel.send(frame)
    else:
        async with send_lock:
            await channel.send(frame)
