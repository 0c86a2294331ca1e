"""Survey templates: the questionnaires managers define and operators send in a dialog.

Theory of operation: a ``Survey`` (``templates``) has a title (unique, so a setting can
name it) and one to twenty questions, each a rating (1 to 5), a single or a multiple
choice among two to ten options, or a free text, required or not. ``SurveyTemplates``
(``store``) keeps them in one table of the accounts database, on SQLite or PostgreSQL,
the questions as a JSON column: a template is always read and written whole.

Nothing here knows of sockets or of the engine.
"""

from __future__ import annotations

from frontdesk.adapters.surveys.store import SurveyTemplates as SurveyTemplates
from frontdesk.adapters.surveys.templates import QUESTION_KINDS as QUESTION_KINDS
from frontdesk.adapters.surveys.templates import Question as Question
from frontdesk.adapters.surveys.templates import Survey as Survey
from frontdesk.adapters.surveys.templates import SurveyDraft as SurveyDraft
from frontdesk.adapters.surveys.templates import SurveyError as SurveyError
from frontdesk.adapters.surveys.templates import draft_of as draft_of
