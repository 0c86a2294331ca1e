"""The demo bike shop's survey: ``Satisfaction``, sent in ``make demo``."""

from __future__ import annotations

from frontdesk.adapters.surveys.templates import Question, SurveyDraft

DEMO_SURVEYS: tuple[SurveyDraft, ...] = (
    SurveyDraft("Satisfaction", (
        Question("rating", "How satisfied are you with this chat?", required=True),
        Question("single", "Did we solve your problem?", required=True,
                 options=("Yes", "Partly", "No")),
        Question("multiple", "What did you like?",
                 options=("Speed", "Friendliness", "Knowledge")),
        Question("text", "Anything we could do better?"),
    )),
)

DEMO_CLOSE_SURVEY = "Satisfaction"  # what a demo's [surveys] on_close names
