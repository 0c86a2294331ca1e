"""The survey templates' stream on the replication link: ``repl.survey``, primary -> backup.

    primary -> backup   repl.survey {survey: {id, title, questions, changed_by, changed_at}}
                                                        a template, new or changed
                        repl.survey {keep: [template id, ...], last_id}   the templates there are
                                                   now, and the largest id ever given

The stream of a table of rows (``row_link.py``), as the knowledge base's articles cross. The
backup checks each template as the routes check a manager's (``draft_of``) and keeps the
primary's id, author and time, so an operator's drop-down on a new primary offers the same
surveys (the surveys already sent are dialog entries, in the journal). On PostgreSQL the
cluster shares the table: no link.
"""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.row_link import RowLink, positive_id, row_of
from frontdesk.adapters.surveys import Survey, SurveyError, SurveyTemplates
from frontdesk.adapters.surveys.templates import draft_of

KIND = "repl.survey"


class SurveyLink(RowLink[Survey]):
    def __init__(self, templates: SurveyTemplates) -> None:
        super().__init__(
            KIND, "survey", "the survey templates",
            changes=lambda: templates.changes, read_all=templates.templates,
            accept=templates.accept, keep_only=templates.keep_only,
            last_id=templates.last_id, raise_last_id=templates.raise_last_id,
            to_wire=Survey.to_json, from_wire=survey_from_wire,
        )


def survey_from_wire(frame: dict[str, Any]) -> Survey:
    meta = row_of(frame, KIND, "survey")
    try:
        survey_id, by, at = positive_id(meta["id"]), meta["changed_by"], meta["changed_at"]
        if not isinstance(by, str) or isinstance(at, bool) or not isinstance(at, int | float):
            raise TypeError("changed_by and changed_at: expected text and a number")
        d = draft_of({"title": meta["title"], "questions": meta["questions"]})
        return Survey(id=survey_id, title=d.title, questions=d.questions, changed_by=by,
                      changed_at=float(at))
    except (KeyError, TypeError, SurveyError) as e:
        raise ReplicationError(f"{KIND}: expected a survey template's fields: {e}") from None
