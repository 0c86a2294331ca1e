"""``[surveys] on_close``: the template that title names, kept on the engine's
``CloseSurveyBoard`` (``frontdesk.engine.close_survey_board``) so a closing dialog can
freeze its questions without reading the store (the engine does no I/O).

The title is looked up at start (a title that names no template is logged then, and at
each close that would have sent it, by the engine) and again after every change of the
templates this node makes or accepts from its primary (``Changes`` listener), so an edit
of the questions, a rename or a deletion is what the next close sends. A read that fails
keeps what the board holds and says so: the close itself never depends on it.
"""

from __future__ import annotations

import logging

from frontdesk.adapters.surveys.store import SurveyTemplates
from frontdesk.adapters.surveys.templates import SurveyError
from frontdesk.engine.close_survey_board import CloseSurvey, CloseSurveyBoard

log = logging.getLogger("frontdesk.surveys")


class CloseSurveyKeeper:
    """Keeps ``board`` on the template titled ``title`` ("" : none, nothing kept)."""

    def __init__(self, templates: SurveyTemplates | None, title: str,
                 board: CloseSurveyBoard) -> None:
        self._templates = templates
        self.title = title
        self.board = board

    def start(self) -> CloseSurvey | None:
        """Look the title up now and after each change of the templates."""
        if not self.title:
            return None
        if self._templates is None:
            log.warning("[surveys] on_close names %r, but this server keeps no survey "
                        "templates: no survey is sent at a close", self.title)
            return None
        found = self.refresh()
        if found is None:
            log.warning("[surveys] on_close names %r, which is no survey template now: no "
                        "survey is sent at a close until a manager creates it", self.title)
        self._templates.add_listener(self._changed)
        return found

    def refresh(self) -> CloseSurvey | None:
        """The template of the title now, set on the board (None: there is none)."""
        assert self._templates is not None
        try:
            survey = self._templates.find(self.title)
        except SurveyError as exc:
            log.warning("[surveys] on_close: cannot read the template %r (%s); the close "
                        "survey stays as it was", self.title, exc)
            return self.board.current()
        found = None
        if survey is not None and survey.title.lower() == self.title.lower():
            found = CloseSurvey(survey.id, survey.title,
                                tuple(q.to_json() for q in survey.questions))
        before = self.board.current()
        self.board.set(found)
        if before is not None and found is None:
            log.warning("[surveys] on_close: the template %r is gone; no survey is sent at a "
                        "close until a manager creates it again", self.title)
        return found

    def _changed(self) -> None:
        self.refresh()
