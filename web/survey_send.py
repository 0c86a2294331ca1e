"""The template an operator's ``survey`` frame names, read from the store on a worker
thread (its questions are then frozen into the engine's ``SendSurvey``)."""

from __future__ import annotations

import trio

from frontdesk.adapters.surveys import Survey, SurveyError
from frontdesk.adapters.wire import WireError
from frontdesk.web.context import ServerContext


async def survey_template(ctx: ServerContext, survey_id: int, ref: str | None) -> Survey:
    """The template ``survey_id``, or ``WireError`` (``no_survey``, ``unavailable``)."""
    store = ctx.surveys
    if store is None:
        raise WireError("unavailable", "cannot send a survey: this server keeps no surveys", ref)
    try:
        found = await trio.to_thread.run_sync(store.get, survey_id)
    except SurveyError as exc:
        raise WireError("unavailable", f"cannot send a survey now: {exc}", ref) from None
    if found is None:
        raise WireError("no_survey", f"survey.survey: expected the id of a survey template, "
                        f"got {survey_id}", ref)
    return found
