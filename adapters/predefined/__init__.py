"""Predefined answers: texts an operator inserts by a title or a ``/shortcut``.

Theory of operation: an ``Answer`` (``answers``) is shared (``owner`` is ``None``, managed
by managers) or personal (``owner`` is an operator's login, managed by that operator); it
has a title, a text (the operators' markdown subset) and an optional shortcut, unique
among the answers one operator sees of its kind. ``PredefinedAnswers`` (``store``) keeps
them in one table of the accounts database, on SQLite or PostgreSQL. Variables such as
``{visitor.name}`` stay in the text: the console fills them on insertion.

Nothing here knows of sockets or of the engine.
"""

from __future__ import annotations

from frontdesk.adapters.predefined.answers import Answer as Answer
from frontdesk.adapters.predefined.answers import AnswerDraft as AnswerDraft
from frontdesk.adapters.predefined.answers import PredefinedError as PredefinedError
from frontdesk.adapters.predefined.store import PredefinedAnswers as PredefinedAnswers
