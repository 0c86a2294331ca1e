"""Survey templates over HTTP (``docs/protocol.md``, "Surveys").

- ``GET /api/surveys``: staff (operators pick one to send); the templates by title.
- ``POST /api/surveys``, ``PUT|DELETE /api/surveys/{id}``: managers.
- ``GET /api/surveys/results[?format=json|csv]``: managers; the figures of
  ``frontdesk.engine.survey_results`` from the engine's read model (the records appended
  since the last question folded on a worker thread, ``frontdesk.engine.journal_views``).

A body is ``{"title": text, "questions": [{"kind": "rating"|"single"|"multiple"|"text",
"text": text, "required": bool, "options": [text, ...]}, ...]}``; a refusal is a JSON
error naming the field, what was expected and what came. The store runs on a worker thread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TypeVar

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.surveys import SurveyDraft, SurveyError, SurveyTemplates, draft_of
from frontdesk.adapters.surveys.templates import TitleTakenError
from frontdesk.engine import survey_results
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.knowledge_routes import RefusedError, _answered, _json_body
from frontdesk.web.report_routes import _safe_cell

T = TypeVar("T")


def routes(ctx: ServerContext) -> list[BaseRoute]:
    s = SurveyRoutes(ctx)
    return [
        Route("/api/surveys", s.list_templates, methods=["GET"]),
        Route("/api/surveys/results", s.results, methods=["GET"]),
        Route("/api/surveys", s.create, methods=["POST"]),
        Route("/api/surveys/{survey}", s.update, methods=["PUT"]),
        Route("/api/surveys/{survey}", s.delete, methods=["DELETE"]),
    ]


class SurveyRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    async def list_templates(self, request: Request) -> Response:
        async def answer() -> Response:
            store = await self._staff(request)
            found = await self._run(store.templates)
            return JSONResponse({"surveys": [s.to_json() for s in found]})
        return await _answered(answer)

    async def results(self, request: Request) -> Response:
        async def answer() -> Response:
            await self._manager(request)
            fmt = request.query_params.get("format", "json")
            unknown = sorted(set(request.query_params) - {"format"})
            if unknown:
                raise RefusedError(400, "bad_query", f"{unknown[0][:40]}: expected only the "
                                   "parameter format, got an unknown one")
            if fmt not in ("json", "csv"):
                raise RefusedError(400, "bad_query",
                                   f"format: expected one of json, csv, got {fmt[:40]!r}")
            figures = await trio.to_thread.run_sync(self.ctx.engine.survey_results,
                                                    limiter=self.ctx.views_limiter)
            if fmt == "json":
                return JSONResponse(figures)
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            for row in survey_results.csv_rows(figures):
                writer.writerow([_safe_cell(cell) for cell in row])
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
                "content-disposition": 'attachment; filename="survey-results.csv"'})
        return await _answered(answer)

    async def create(self, request: Request) -> Response:
        async def answer() -> Response:
            store, login = await self._manager(request)
            draft = _checked(await _json_body(request))
            made = await self._run(lambda: store.create(draft, by=login))
            return JSONResponse(made.to_json(), 201)
        return await _answered(answer)

    async def update(self, request: Request) -> Response:
        async def answer() -> Response:
            store, login = await self._manager(request)
            survey_id = _survey_id(request)
            draft = _checked(await _json_body(request))
            changed = await self._run(lambda: store.update(survey_id, draft, by=login))
            if changed is None:
                raise _no_survey(survey_id)
            return JSONResponse(changed.to_json())
        return await _answered(answer)

    async def delete(self, request: Request) -> Response:
        async def answer() -> Response:
            store, _ = await self._manager(request)
            survey_id = _survey_id(request)
            if not await self._run(lambda: store.delete(survey_id)):
                raise _no_survey(survey_id)
            return Response(status_code=204)
        return await _answered(answer)

    # -- who may ---------------------------------------------------------------

    def _store(self) -> SurveyTemplates:
        if self.ctx.surveys is None:
            raise RefusedError(503, "surveys_unavailable", "this server keeps no surveys")
        return self.ctx.surveys

    async def _staff(self, request: Request) -> SurveyTemplates:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise RefusedError(401, "no_session",
                               "expected an operator's or a manager's session cookie, got none")
        return self._store()

    async def _manager(self, request: Request) -> tuple[SurveyTemplates, str]:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise RefusedError(401, "no_session", "expected a manager's session cookie, got none")
        if not auth.has_role(user, "manager"):
            raise RefusedError(403, "forbidden",
                               f"expected a manager's session, got an {user.role}'s")
        return self._store(), str(user.login)

    async def _run(self, call: Callable[[], T]) -> T:
        try:
            return await trio.to_thread.run_sync(call)
        except TitleTakenError as exc:
            raise RefusedError(409, "title_taken", str(exc)) from None
        except SurveyError as exc:
            raise RefusedError(503, "surveys_unavailable", str(exc)) from None


def _checked(body: object) -> SurveyDraft:
    try:
        return draft_of(body)
    except SurveyError as exc:
        raise RefusedError(400, "bad_survey", str(exc)) from None


def _no_survey(survey_id: int) -> RefusedError:
    return RefusedError(404, "no_survey", f"survey: expected the id of a survey, got {survey_id}")


def _survey_id(request: Request) -> int:
    raw = str(request.path_params["survey"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise RefusedError(400, "bad_survey_id",
                           f"survey: expected a positive whole number, got {raw[:40]!r}")
    return int(raw)
