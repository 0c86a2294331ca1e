"""The knowledge base over HTTP (``docs/protocol.md``, "Knowledge base").

- ``GET /api/knowledge/search?q=&limit=``: staff (an operator's or a manager's session).
- ``GET /api/knowledge/articles/{id}/related?limit=``: staff; the enabled articles nearest to
  one (its title, tags and questions searched), itself left out.
- ``GET|POST /api/knowledge/articles``, ``GET|PUT|DELETE /api/knowledge/articles/{id}``,
  ``GET /api/knowledge/export?format=json|csv``, ``POST /api/knowledge/import?format=json|csv``:
  managers only (403 for an operator).

Input is checked here before the store sees it (``ArticleDraft.checked``, ``query.terms``);
a refusal is a JSON error naming what was expected and what came, an import's names the line
and field of each bad record and changes nothing. The store's calls run on a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, TypeVar

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.json_limits import JsonLimitError
from frontdesk.adapters.knowledge import Article, ArticleDraft, KnowledgeBase, KnowledgeError
from frontdesk.adapters.knowledge import query as kb_query
from frontdesk.adapters.knowledge.store import Hit
from frontdesk.adapters.knowledge.transfer import (
    ImportRefusedError,
    export_csv,
    export_json,
    import_csv,
    import_json,
)
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error
from frontdesk.web.json_body import MAX_JSON_BODY_BYTES, check_json_body

MAX_IMPORT_BYTES = 1024 * 1024
MAX_SEARCH_LIMIT = 20
ARTICLE_FIELDS = ("title", "questions", "answer", "tags", "enabled")
FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
T = TypeVar("T")


@dataclass
class RefusedError(Exception):
    status: int
    code: str
    message: str


def routes(ctx: ServerContext) -> list[BaseRoute]:
    k = KnowledgeRoutes(ctx)
    return [
        Route("/api/knowledge/search", k.search),
        Route("/api/knowledge/articles/{article}/related", k.related, methods=["GET"]),
        Route("/api/knowledge/articles", k.list_articles, methods=["GET"]),
        Route("/api/knowledge/articles", k.create, methods=["POST"]),
        Route("/api/knowledge/articles/{article}", k.read, methods=["GET"]),
        Route("/api/knowledge/articles/{article}", k.update, methods=["PUT"]),
        Route("/api/knowledge/articles/{article}", k.delete, methods=["DELETE"]),
        Route("/api/knowledge/export", k.export, methods=["GET"]),
        Route("/api/knowledge/import", k.import_, methods=["POST"]),
    ]


def article_json(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "questions": list(a.questions), "answer": a.answer,
            "answer_html": a.answer_html, "tags": list(a.tags), "enabled": a.enabled,
            "changed_by": a.changed_by, "changed_at": a.changed_at}


def hit_json(h: Hit) -> dict[str, Any]:
    return {**article_json(h.article), "score": h.score, "snippet": h.snippet}


def related_text(a: Article) -> str:
    """What an article's neighbours are searched by: its tags and title first (the query
    keeps a bounded number of words), then its questions."""
    return " ".join((*a.tags, a.title, *a.questions))


def draft_of(body: object) -> ArticleDraft:
    """The checked draft of a JSON body, or ``KnowledgeError`` naming the field."""
    if not isinstance(body, dict):
        raise KnowledgeError(f"body: expected a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - set(ARTICLE_FIELDS))
    if unknown:
        raise KnowledgeError(f"{unknown[0][:40]}: expected one of {', '.join(ARTICLE_FIELDS)}, "
                             f"got an unknown field")
    questions, tags = body.get("questions"), body.get("tags", [])
    if not isinstance(questions, list):
        raise KnowledgeError(f"questions: expected an array of text, got "
                             f"{type(questions).__name__}")
    if not isinstance(tags, list):
        raise KnowledgeError(f"tags: expected an array of text, got {type(tags).__name__}")
    return ArticleDraft(body.get("title"), tuple(questions), body.get("answer"),  # type: ignore[arg-type]
                        tuple(tags), body.get("enabled", True)).checked()


class KnowledgeRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    # -- the routes -----------------------------------------------------------

    async def search(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._staff(request)
            text = request.query_params.get("q")
            if text is None:
                raise RefusedError(400, "bad_query", "q: expected the text to search for, got none")
            limit = _limit(request.query_params.get("limit", "5"))
            try:
                kb_query.terms(text)
            except KnowledgeError as exc:
                raise RefusedError(400, "bad_query", str(exc)) from None
            hits = await self._run(lambda: kb.search(text, limit=limit))
            return JSONResponse({"hits": [hit_json(h) for h in hits]})
        return await _answered(answer)

    async def related(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._staff(request)
            article_id = _article_id(request)
            limit = _limit(request.query_params.get("limit", "5"))

            def near() -> list[Hit] | None:
                found = kb.get(article_id)
                if found is None:
                    return None
                hits = kb.search(related_text(found), limit=limit + 1)
                return [h for h in hits if h.article.id != article_id][:limit]

            hits = await self._run(near)
            if hits is None:
                raise _no_article(article_id)
            return JSONResponse({"hits": [hit_json(h) for h in hits]})
        return await _answered(answer)

    async def list_articles(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._manager(request)
            found = await self._run(kb.articles)
            return JSONResponse({"articles": [article_json(a) for a in found]})
        return await _answered(answer)

    async def read(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._manager(request)
            article_id = _article_id(request)
            found = await self._run(lambda: kb.get(article_id))
            if found is None:
                raise _no_article(article_id)
            return JSONResponse(article_json(found))
        return await _answered(answer)

    async def create(self, request: Request) -> Response:
        async def answer() -> Response:
            kb, by = await self._manager_by(request)
            draft = _checked(draft_of, await _json_body(request))
            made = await self._run(lambda: kb.create(draft, by=by))
            return JSONResponse(article_json(made), 201)
        return await _answered(answer)

    async def update(self, request: Request) -> Response:
        async def answer() -> Response:
            kb, by = await self._manager_by(request)
            article_id = _article_id(request)
            draft = _checked(draft_of, await _json_body(request))

            def change() -> Article | None:
                if kb.get(article_id) is None:
                    return None
                return kb.update(article_id, draft, by=by)

            changed = await self._run(change)
            if changed is None:
                raise _no_article(article_id)
            return JSONResponse(article_json(changed))
        return await _answered(answer)

    async def delete(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._manager(request)
            article_id = _article_id(request)
            if not await self._run(lambda: kb.delete(article_id)):
                raise _no_article(article_id)
            return Response(status_code=204)
        return await _answered(answer)

    async def export(self, request: Request) -> Response:
        async def answer() -> Response:
            kb = await self._manager(request)
            fmt = _format(request)
            found = await self._run(kb.articles)
            text = export_json(found) if fmt == "json" else export_csv(found)
            return Response(text, media_type=FORMATS[fmt], headers={
                "content-disposition": f'attachment; filename="knowledge.{fmt}"'})
        return await _answered(answer)

    async def import_(self, request: Request) -> Response:
        async def answer() -> Response:
            kb, by = await self._manager_by(request)
            fmt = _format(request)
            raw = await _body(request, MAX_IMPORT_BYTES)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RefusedError(400, "bad_import", "body: expected UTF-8 text, got a "
                                   f"byte that is not UTF-8 at offset {exc.start}") from None
            try:
                drafts = import_json(text) if fmt == "json" else import_csv(text)
            except ImportRefusedError as refused:
                problems = [{"line": p.line, "field": p.field, "message": p.message}
                            for p in refused.problems]
                return JSONResponse({"error": {"code": "import_refused", "message": str(refused),
                                               "problems": problems}}, 400)
            made = await self._run(lambda: kb.create_many(drafts, by=by))
            return JSONResponse({"imported": len(made),
                                 "articles": [article_json(a) for a in made]}, 201)
        return await _answered(answer)

    # -- who may ---------------------------------------------------------------

    def _base(self) -> KnowledgeBase:
        if self.ctx.knowledge is None:
            raise RefusedError(503, "knowledge_unavailable", "this server has no knowledge base")
        return self.ctx.knowledge

    async def _user(self, request: Request) -> Any:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise RefusedError(401, "no_session",
                          "expected an operator's or a manager's session cookie, got none")
        return user

    async def _staff(self, request: Request) -> KnowledgeBase:
        await self._user(request)
        return self._base()

    async def _manager_by(self, request: Request) -> tuple[KnowledgeBase, str]:
        user = await self._user(request)
        if not auth.has_role(user, "manager"):
            raise RefusedError(403, "forbidden",
                          f"expected a manager's session, got an {user.role}'s")
        return self._base(), str(user.login)

    async def _manager(self, request: Request) -> KnowledgeBase:
        return (await self._manager_by(request))[0]

    async def _run(self, call: Callable[[], T]) -> T:
        try:
            return await trio.to_thread.run_sync(call)
        except KnowledgeError as exc:
            raise RefusedError(503, "knowledge_unavailable", str(exc)) from None


async def _answered(answer: Callable[[], Any]) -> Response:
    try:
        response: Response = await answer()
    except RefusedError as refused:
        return api_error(refused.status, refused.code, refused.message)
    return response


def _checked(check: Callable[[object], T], value: object) -> T:
    try:
        return check(value)
    except KnowledgeError as exc:
        raise RefusedError(400, "bad_article", str(exc)) from None


def _no_article(article_id: int) -> RefusedError:
    return RefusedError(404, "no_article",
                        f"article: expected the id of an article, got {article_id}")


def _article_id(request: Request) -> int:
    raw = str(request.path_params["article"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise RefusedError(400, "bad_article_id",
                      f"article: expected a positive whole number, got {raw[:40]!r}")
    return int(raw)


def _limit(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw[:6]) <= MAX_SEARCH_LIMIT:
        raise RefusedError(400, "bad_query",
                      f"limit: expected a whole number from 1 to {MAX_SEARCH_LIMIT}, "
                      f"got {raw[:40]!r}")
    return int(raw)


def _format(request: Request) -> str:
    fmt = request.query_params.get("format", "json")
    if fmt not in FORMATS:
        raise RefusedError(400, "bad_format", f"format: expected json or csv, got {fmt[:40]!r}")
    return fmt


async def _body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise RefusedError(413, "body_too_large",
                              f"body: expected at most {limit} bytes, got more")
            chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request) -> object:
    raw = await _body(request, MAX_JSON_BODY_BYTES)
    try:
        check_json_body(raw)
        return json.loads(raw) if raw.strip() else None
    except JsonLimitError as exc:
        raise RefusedError(400, exc.code, exc.message) from None
    except ValueError as exc:  # not JSON (JsonLimitError is one too, caught above)
        raise RefusedError(400, "bad_json", f"body: expected a JSON object, got: {exc}") from None
