"""What ``[surveys] on_close`` names now: the template a closing dialog freezes into its
``dialog.survey`` entry (``engine/close_survey.py``), set by the adapter that reads the
templates (at start, and after each change of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CloseSurvey:
    """A template as a close sends it: its id, title and questions now."""

    template: int
    title: str
    questions: tuple[dict[str, Any], ...]


class CloseSurveyBoard:
    """The survey a close sends now: written by the adapter (a template changed), read by
    a dialog at its close. One reference swapped whole, so a reader on another thread
    sees the old survey or the new one, never half of either."""

    def __init__(self) -> None:
        self._survey: CloseSurvey | None = None

    def set(self, survey: CloseSurvey | None) -> None:
        self._survey = survey

    def current(self) -> CloseSurvey | None:
        return self._survey
