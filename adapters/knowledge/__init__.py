"""The knowledge base: articles that answer visitors' questions, and a search over them.

Theory of operation: an ``Article`` (``articles``) holds a title, the questions it
answers (several phrasings), an answer in the operators' markdown subset (rendered
once, where it enters, by ``frontdesk.adapters.text``), tags, an enabled flag and
who changed it when. ``KnowledgeBase`` (``store``) keeps them in a peewee table on
SQLite or PostgreSQL and searches them behind one method: SQLite's FTS5 ranked by
BM25, or PostgreSQL's ``tsvector`` with ``websearch_to_tsquery``. Any text is a safe
query (``query``): it is reduced to its words before either engine sees it, so
quotes, ``*``, ``NEAR`` or ``-`` are words or nothing, never syntax.

Nothing here knows of sockets or of the engine.
"""

from __future__ import annotations

from frontdesk.adapters.knowledge.articles import Article as Article
from frontdesk.adapters.knowledge.articles import ArticleDraft as ArticleDraft
from frontdesk.adapters.knowledge.articles import KnowledgeError as KnowledgeError
from frontdesk.adapters.knowledge.store import Hit as Hit
from frontdesk.adapters.knowledge.store import KnowledgeBase as KnowledgeBase
