"""Predefined answers over HTTP (``docs/protocol.md``, "Predefined answers").

- ``GET /api/predefined``: staff; the answers the session's user may insert, their own
  (``"kind": "personal"``) first, then the shared ones.
- ``POST /api/predefined/personal``, ``PUT|DELETE /api/predefined/personal/{id}``: staff;
  their own answers only (another's id is a 404, as if it did not exist).
- ``GET|POST /api/predefined/shared``, ``PUT|DELETE /api/predefined/shared/{id}``: managers.

A body is ``{"title": text, "text": text, "shortcut": text or null}``; a refusal is a JSON
error naming the field, what was expected and what came. The store runs on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.predefined import Answer, AnswerDraft, PredefinedAnswers, PredefinedError
from frontdesk.adapters.predefined.answers import ShortcutTakenError
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.knowledge_routes import RefusedError, _answered, _json_body

ANSWER_FIELDS = ("title", "text", "shortcut")
T = TypeVar("T")


def routes(ctx: ServerContext) -> list[BaseRoute]:
    p = PredefinedRoutes(ctx)
    return [
        Route("/api/predefined", p.visible, methods=["GET"]),
        Route("/api/predefined/personal", p.create_personal, methods=["POST"]),
        Route("/api/predefined/personal/{answer}", p.update_personal, methods=["PUT"]),
        Route("/api/predefined/personal/{answer}", p.delete_personal, methods=["DELETE"]),
        Route("/api/predefined/shared", p.list_shared, methods=["GET"]),
        Route("/api/predefined/shared", p.create_shared, methods=["POST"]),
        Route("/api/predefined/shared/{answer}", p.update_shared, methods=["PUT"]),
        Route("/api/predefined/shared/{answer}", p.delete_shared, methods=["DELETE"]),
    ]


def answer_json(a: Answer) -> dict[str, Any]:
    return {"id": a.id, "kind": "shared" if a.shared else "personal", "title": a.title,
            "text": a.text, "shortcut": a.shortcut, "changed_by": a.changed_by,
            "changed_at": a.changed_at}


def draft_of(body: object) -> AnswerDraft:
    """The checked draft of a JSON body, or ``PredefinedError`` naming the field."""
    if not isinstance(body, dict):
        kind = "nothing" if body is None else type(body).__name__
        raise PredefinedError(f"body: expected a JSON object, got {kind}")
    unknown = sorted(set(body) - set(ANSWER_FIELDS))
    if unknown:
        raise PredefinedError(f"{unknown[0][:40]}: expected one of {', '.join(ANSWER_FIELDS)}, "
                              "got an unknown field")
    return AnswerDraft(body.get("title"), body.get("text"),  # type: ignore[arg-type]
                       body.get("shortcut")).checked()


class PredefinedRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    async def visible(self, request: Request) -> Response:
        async def answer() -> Response:
            store, login = await self._staff(request)
            found = await self._run(lambda: store.visible_to(login))
            return JSONResponse({"answers": [answer_json(a) for a in found]})
        return await _answered(answer)

    async def list_shared(self, request: Request) -> Response:
        async def answer() -> Response:
            store, _ = await self._manager(request)
            found = await self._run(store.shared)
            return JSONResponse({"answers": [answer_json(a) for a in found]})
        return await _answered(answer)

    async def create_personal(self, request: Request) -> Response:
        return await self._create(request, shared=False)

    async def create_shared(self, request: Request) -> Response:
        return await self._create(request, shared=True)

    async def update_personal(self, request: Request) -> Response:
        return await self._update(request, shared=False)

    async def update_shared(self, request: Request) -> Response:
        return await self._update(request, shared=True)

    async def delete_personal(self, request: Request) -> Response:
        return await self._delete(request, shared=False)

    async def delete_shared(self, request: Request) -> Response:
        return await self._delete(request, shared=True)

    # -- the work of both kinds -------------------------------------------------

    async def _create(self, request: Request, *, shared: bool) -> Response:
        async def answer() -> Response:
            store, login = await self._who(request, shared)
            draft = _checked(await _json_body(request))
            owner = None if shared else login
            made = await self._run(lambda: store.create(draft, owner=owner, by=login))
            return JSONResponse(answer_json(made), 201)
        return await _answered(answer)

    async def _update(self, request: Request, *, shared: bool) -> Response:
        async def answer() -> Response:
            store, login = await self._who(request, shared)
            answer_id = _answer_id(request)
            draft = _checked(await _json_body(request))
            owner = None if shared else login
            changed = await self._run(
                lambda: store.update(answer_id, draft, owner=owner, by=login))
            if changed is None:
                raise _no_answer(answer_id, shared)
            return JSONResponse(answer_json(changed))
        return await _answered(answer)

    async def _delete(self, request: Request, *, shared: bool) -> Response:
        async def answer() -> Response:
            store, login = await self._who(request, shared)
            answer_id = _answer_id(request)
            owner = None if shared else login
            if not await self._run(lambda: store.delete(answer_id, owner=owner)):
                raise _no_answer(answer_id, shared)
            return Response(status_code=204)
        return await _answered(answer)

    # -- who may ---------------------------------------------------------------

    def _store(self) -> PredefinedAnswers:
        if self.ctx.predefined is None:
            raise RefusedError(503, "predefined_unavailable",
                               "this server keeps no predefined answers")
        return self.ctx.predefined

    async def _staff(self, request: Request) -> tuple[PredefinedAnswers, str]:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise RefusedError(401, "no_session",
                               "expected an operator's or a manager's session cookie, got none")
        return self._store(), str(user.login)

    async def _manager(self, request: Request) -> tuple[PredefinedAnswers, str]:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise RefusedError(401, "no_session", "expected a manager's session cookie, got none")
        if not auth.has_role(user, "manager"):
            raise RefusedError(403, "forbidden",
                               f"expected a manager's session, got an {user.role}'s")
        return self._store(), str(user.login)

    async def _who(self, request: Request, shared: bool) -> tuple[PredefinedAnswers, str]:
        return await (self._manager(request) if shared else self._staff(request))

    async def _run(self, call: Callable[[], T]) -> T:
        try:
            return await trio.to_thread.run_sync(call)
        except ShortcutTakenError as exc:
            raise RefusedError(409, "shortcut_taken", str(exc)) from None
        except PredefinedError as exc:
            raise RefusedError(503, "predefined_unavailable", str(exc)) from None


def _checked(body: object) -> AnswerDraft:
    try:
        return draft_of(body)
    except PredefinedError as exc:
        raise RefusedError(400, "bad_answer", str(exc)) from None


def _no_answer(answer_id: int, shared: bool) -> RefusedError:
    kind = "a shared answer" if shared else "one of your answers"
    return RefusedError(404, "no_answer", f"answer: expected the id of {kind}, got {answer_id}")


def _answer_id(request: Request) -> int:
    raw = str(request.path_params["answer"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise RefusedError(400, "bad_answer_id",
                           f"answer: expected a positive whole number, got {raw[:40]!r}")
    return int(raw)
