"""The gallery over HTTP (``docs/protocol.md``, "Gallery"): managers upload, rename and
delete media; operators and managers list and search it and send an item into a dialog,
where it becomes a ``dialog.file`` entry like an upload."""

from __future__ import annotations

import json
from typing import Any

import trio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.files import FileRefused, Gallery, GalleryItem, header_name
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.file_routes import MULTIPART_OVERHEAD_BYTES, FileRoutes, file_json
from frontdesk.web.http_routes import api_error
from frontdesk.web.transcript_routes import bad_dialog_id


def routes(ctx: ServerContext, files: FileRoutes) -> list[BaseRoute]:
    if ctx.files is None:
        return []
    g = GalleryRoutes(ctx, Gallery(ctx.files), files)
    return [
        Route("/api/gallery", g.guarded(g.list), methods=["GET"]),
        Route("/api/gallery", g.guarded(g.add), methods=["POST"]),
        Route("/api/gallery/{item}", g.guarded(g.rename), methods=["PATCH"]),
        Route("/api/gallery/{item}", g.guarded(g.delete), methods=["DELETE"]),
        Route("/api/gallery/{item}/content", g.guarded(g.content), methods=["GET"]),
        Route("/api/dialogs/{dialog}/gallery", g.guarded(g.send), methods=["POST"]),
    ]


def item_json(item: GalleryItem) -> dict[str, Any]:
    return {"item": item.id, "name": item.name, "file_name": item.file_name, "size": item.size,
            "mime": item.type, "thumbnail": bool(item.thumbnail), "added_by": item.added_by,
            "at": item.at}


class GalleryRoutes:
    def __init__(self, ctx: ServerContext, gallery: Gallery, files: FileRoutes) -> None:
        self.ctx, self.gallery, self.files = ctx, gallery, files

    def guarded(self, route: Any) -> Any:
        async def answer(request: Request) -> Response:
            try:
                result: Response = await route(request)
            except FileRefused as refused:
                return api_error(refused.status, refused.code, refused.message)
            return result
        return answer

    async def _staff(self, request: Request, *, manager: bool = False) -> Any:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise FileRefused(401, "no_session", "expected an operator's or a manager's session "
                              "cookie (log in first)")
        if manager and not auth.has_role(user, "manager"):
            raise FileRefused(403, "wrong_role", f"expected a manager's session, got "
                              f"{user.role}'s")
        return user

    async def list(self, request: Request) -> Response:
        await self._staff(request)
        query = request.query_params.get("q", "")[:200]
        items = await trio.to_thread.run_sync(self.gallery.search, query)
        return JSONResponse({"items": [item_json(i) for i in items]},
                            headers={"cache-control": "no-store"})

    async def add(self, request: Request) -> Response:
        user = await self._staff(request, manager=True)
        limit = self.gallery.files.limits.max_bytes
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise FileRefused(411, "length_required", "expected a Content-Length header")
        if int(length) > limit + MULTIPART_OVERHEAD_BYTES:
            raise FileRefused(413, "file_too_large", f"expected a file of at most {limit} "
                              f"bytes, got a body of {length}")
        try:
            form = await request.form(max_files=1, max_fields=2)
        except Exception as exc:
            raise FileRefused(400, "bad_form", f"expected a multipart form with one file "
                              f"part: {exc}") from None
        try:
            part, name = form.get("file"), form.get("name")
            if not isinstance(part, UploadFile):
                raise FileRefused(400, "no_file", "expected a form part named file")
            if name is not None and not isinstance(name, str):
                raise FileRefused(400, "bad_name", "name: expected text")
            data = await part.read(limit + 1)
            file_name = part.filename or "file"
        finally:
            await form.close()
        item = await trio.to_thread.run_sync(self.gallery.add, name or "", file_name, data,
                                             user.login, self.ctx.clock.now())
        return JSONResponse(item_json(item), 201)

    async def _json(self, request: Request) -> dict[str, Any]:
        try:
            data = json.loads(await request.body() or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise FileRefused(400, "bad_json", f"expected a JSON object: {exc}") from None
        if not isinstance(data, dict):
            raise FileRefused(400, "bad_json", f"expected a JSON object, got "
                              f"{type(data).__name__}")
        return data

    async def rename(self, request: Request) -> Response:
        await self._staff(request, manager=True)
        name = (await self._json(request)).get("name")
        if not isinstance(name, str):
            raise FileRefused(400, "bad_name", f"name: expected text, got "
                              f"{type(name).__name__}")
        item = await trio.to_thread.run_sync(self.gallery.rename,
                                             request.path_params["item"], name)
        return JSONResponse(item_json(item))

    async def delete(self, request: Request) -> Response:
        await self._staff(request, manager=True)
        await trio.to_thread.run_sync(self.gallery.delete, request.path_params["item"])
        return JSONResponse({"ok": True})

    async def _item(self, item_id: str) -> GalleryItem:
        item = await trio.to_thread.run_sync(self.gallery.get, item_id)
        if item is None:
            raise FileRefused(404, "unknown_item", f"expected a gallery item id, got "
                              f"{item_id[:40]!r}")
        return item

    async def content(self, request: Request) -> Response:
        await self._staff(request)
        item = await self._item(request.path_params["item"])
        thumb = request.query_params.get("thumbnail") == "1" and bool(item.thumbnail)
        digest = item.thumbnail if thumb else item.sha256
        data = await trio.to_thread.run_sync(self.gallery.files.blobs.get, digest)
        if data is None:
            raise FileRefused(404, "file_missing", f"the bytes of item {item.id} are not "
                              "stored on this node")
        inline = thumb or item.type in {"image/png", "image/jpeg", "image/gif", "image/webp"}
        return Response(data, media_type="image/png" if thumb else item.type, headers={
            "content-disposition":
                f"{'inline' if inline else 'attachment'}; {header_name(item.file_name)}",
            "content-security-policy": "sandbox", "cache-control": "private, no-cache"})

    async def send(self, request: Request) -> Response:
        dialog = request.path_params["dialog"]
        if (bad := bad_dialog_id(dialog)) is not None:
            return bad
        user = await self._staff(request)
        item_id = (await self._json(request)).get("item")
        if not isinstance(item_id, str):
            raise FileRefused(400, "bad_item", "item: expected a gallery item id")
        item = await self._item(item_id)
        role = "manager" if user.role == "manager" else "operator"
        await self.files.check_reader(dialog, {f"{role}_id": user.login})
        name = str(getattr(user, "name", "") or user.login)
        f = await trio.to_thread.run_sync(self.gallery.send, item, dialog, name,
                                          self.ctx.clock.now())
        seq = await self.files.record(f, role, name)  # type: ignore[arg-type]
        return JSONResponse({**file_json(f), "seq": seq}, 201)
