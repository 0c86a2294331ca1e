"""Files of dialogs over HTTP (``docs/protocol.md``, "Files").

- ``POST /api/dialogs/{dialog}/files``: ``multipart/form-data`` with one ``file`` part and,
  for the visitor, a ``token`` part (its dialog's token); staff by their session cookie.
  The file is stored (``adapters/files``) and becomes a ``dialog.file`` entry.
- ``GET /api/files/{file}`` (``?thumbnail=1`` for an image's thumbnail; ``?token=`` for the
  visitor, since an ``<img>`` sends no header): only to that dialog's participants.

Who may upload or download is decided by the engine, by reading the dialog as that reader
(``read_history``): its visitor by token, its operator (holder or last holder), a manager.
A download is also allowed to an operator who held the dialog before (a transfer moved it
on): the route reads the history as the server and looks for that operator's assignment
or transfer to it (``held_by``).
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any, Literal

import trio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.files import FileRefused, FileStore, StoredFile, header_name, safe_name
from frontdesk.engine import notices
from frontdesk.engine.commands import RecordFile
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.dialog_history import HistoryRefused, read_history
from frontdesk.web.http_routes import api_error
from frontdesk.web.transcript_routes import bad_dialog_id
from frontdesk.web.ws_visitor import token_hash

MULTIPART_OVERHEAD_BYTES = 16 * 1024  # the parts' headers and the token around the file
RECORD_TIMEOUT_S = 10.0
SERVER_READER = "frontdesk:file-access"  # the server reading a history for a past holder


def held_by(entries: list[notices.Notice], operator: str) -> bool:
    """Whether ``operator`` held the dialog of ``entries`` at any time (past or present)."""
    return any((isinstance(e, notices.DialogAssigned) and e.operator == operator)
               or (isinstance(e, notices.DialogTransferred) and operator in (e.from_operator,
                                                                       e.to_operator))
               for e in entries)


def routes(ctx: ServerContext) -> list[BaseRoute]:
    """The file routes, and the gallery's (``web/gallery_routes.py``), which send through
    the same checks."""
    from frontdesk.web import gallery_routes  # noqa: PLC0415 (it builds on this module)

    f = FileRoutes(ctx)
    return [
        Route("/api/dialogs/{dialog}/files", f.upload, methods=["POST"]),
        Route("/api/dialogs/{dialog}/files", f.preflight, methods=["OPTIONS"]),
        Route("/api/files/{file}", f.download),
        *gallery_routes.routes(ctx, f),
    ]


def file_json(f: StoredFile) -> dict[str, Any]:
    return {"file": f.id, "dialog": f.dialog, "name": f.name, "size": f.size, "mime": f.type,
            "thumbnail": bool(f.thumbnail)}


class UploadRate:
    """At most ``per_minute`` uploads per uploader in any 60 s (a sliding window)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def check(self, who: str, now: float) -> None:
        times = self._seen.setdefault(who, deque())
        while times and times[0] <= now - 60.0:
            times.popleft()
        if len(times) >= self.per_minute:
            raise FileRefused(429, "too_many_uploads",
                              f"expected at most {self.per_minute} uploads a minute, got "
                              f"{len(times) + 1}")
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle uploaders
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - 60.0]:
                del self._seen[key]


class FileRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.rate = UploadRate(ctx.files.limits.uploads_per_minute if ctx.files else 10)

    def _store(self) -> FileStore:
        if self.ctx.files is None:
            raise FileRefused(503, "files_unavailable", "this server stores no files")
        return self.ctx.files

    async def reader(self, request: Request, token: str | None
                      ) -> tuple[dict[str, str], Literal["visitor", "operator", "manager"], str]:
        if token is not None:
            if not token or len(token) > 256:
                raise FileRefused(400, "bad_token", "token: expected the dialog's token")
            return {"token_hash": token_hash(token)}, "visitor", ""
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            raise FileRefused(401, "no_session", "expected the dialog's token or an operator's "
                              "or a manager's session cookie")
        role: Literal["operator", "manager"] = "manager" if auth.has_role(user, "manager") \
            else "operator"
        key = "manager_id" if role == "manager" else "operator_id"
        return {key: user.login}, role, str(getattr(user, "name", "") or user.login)

    async def check_reader(self, dialog: str, reader: dict[str, str], *,
                           past_holders: bool = False) -> None:
        """Refuses (``FileRefused``) a reader the engine does not let read ``dialog``;
        with ``past_holders``, an operator who held it before is let through too."""
        try:
            await read_history(self.ctx, dialog, **reader)
        except HistoryRefused as refused:
            operator = reader.get("operator_id")
            if past_holders and operator is not None and refused.code == "forbidden":
                try:
                    entries, _ = await read_history(self.ctx, dialog, manager_id=SERVER_READER)
                except HistoryRefused:
                    entries = []
                if held_by(entries, operator):
                    return
            raise FileRefused(refused.status, refused.code, refused.message) from None

    async def preflight(self, request: Request) -> Response:
        """CORS preflight of an upload: the widget's XMLHttpRequest listens to upload progress,
        and a request with upload listeners is preflighted even as a plain multipart POST.
        Allowed origins get a 204 naming them; any other a 403."""
        origin = request.headers.get("origin")
        if origin is None or not auth.origin_allowed(origin, request.headers.get("host"),
                                                     self.ctx.options.allowed_origins):
            return api_error(403, "forbidden_origin",
                             f"expected a preflight from an allowed origin, got {origin or 'none'}")
        return Response(status_code=204, headers={
            "access-control-allow-origin": origin, "access-control-allow-methods": "POST",
            "access-control-max-age": "600", "vary": "Origin"})

    async def upload(self, request: Request) -> Response:
        """The upload; an allowed foreign origin (the widget on a customer's site) is answered
        with ``Access-Control-Allow-Origin`` for it (and its preflight by ``preflight``)."""
        try:
            answer = await self._upload(request)
        except FileRefused as refused:
            answer = api_error(refused.status, refused.code, refused.message)
        origin = request.headers.get("origin")
        if origin is not None and auth.origin_allowed(origin, request.headers.get("host"),
                                                      self.ctx.options.allowed_origins):
            answer.headers["access-control-allow-origin"] = origin
            answer.headers["vary"] = "Origin"
        return answer

    async def _upload(self, request: Request) -> Response:
        dialog = request.path_params["dialog"]
        if (bad := bad_dialog_id(dialog)) is not None:
            return bad
        store = self._store()
        if request.headers.get("origin") is not None and not auth.origin_allowed(
                request.headers.get("origin"), request.headers.get("host"),
                self.ctx.options.allowed_origins):
            raise FileRefused(403, "forbidden_origin", "expected a request from this site")
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            raise FileRefused(415, "bad_content_type",
                              f"expected multipart/form-data, got {ctype or 'none'}")
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise FileRefused(411, "length_required", "expected a Content-Length header")
        if int(length) > store.limits.max_bytes + MULTIPART_OVERHEAD_BYTES:
            raise FileRefused(413, "file_too_large",
                              f"expected a file of at most {store.limits.max_bytes} bytes, "
                              f"got a body of {length}")
        try:
            form = await request.form(max_files=1, max_fields=2)
        except Exception as exc:  # starlette's MultiPartException, a broken body
            raise FileRefused(400, "bad_form", f"expected a multipart form with one file "
                              f"part: {exc}") from None
        try:
            part = form.get("file")
            token = form.get("token")
            if not isinstance(part, UploadFile):
                raise FileRefused(400, "no_file", "expected a form part named file holding "
                                  "the file")
            if token is not None and not isinstance(token, str):
                raise FileRefused(400, "bad_token", "token: expected the dialog's token")
            reader, author, author_name = await self.reader(request, token)
            self.rate.check(f"{dialog}:{next(iter(reader.values()))}", time.monotonic())
            data = await part.read(store.limits.max_bytes + 1)
            store.check_size(len(data))
            name = safe_name(part.filename or "")
        finally:
            await form.close()
        await self.check_reader(dialog, reader)
        stored = await trio.to_thread.run_sync(
            store.put, dialog, name, data, author_name or author, self.ctx.clock.now())
        try:
            seq = await self.record(stored, author, author_name)
        except FileRefused as refused:
            if refused.status != 504:  # refused for sure; after a timeout it may still land
                await trio.to_thread.run_sync(store.forget, stored.id)
            raise
        return JSONResponse({**file_json(stored), "seq": seq}, 201)

    async def record(self, f: StoredFile, author: Literal["visitor", "operator", "manager"],
                      author_name: str) -> int:
        bridge = self.ctx.require_bridge()
        send, receive = trio.open_memory_channel[notices.Notice](math.inf)

        def answered(notice: notices.Notice) -> None:  # on an engine thread
            bridge.call_soon(lambda: send.send_nowait(notice))

        self.ctx.engine.submit(RecordFile(f.dialog, f.id, f.name, f.size, f.type,
                                          bool(f.thumbnail), author, author_name), answered)
        with trio.move_on_after(RECORD_TIMEOUT_S):
            answer = await receive.receive()
            if isinstance(answer, notices.Ack) and answer.seq is not None:
                return int(answer.seq)
            if isinstance(answer, notices.Rejected):
                status = 409 if answer.code == "closed" else 503
                raise FileRefused(status, answer.code, answer.message)
        raise FileRefused(504, "timeout", f"recording file {f.id} in {f.dialog} took over "
                          f"{RECORD_TIMEOUT_S:g} s")

    async def download(self, request: Request) -> Response:
        try:
            return await self._download(request)
        except FileRefused as refused:
            return api_error(refused.status, refused.code, refused.message)

    async def _download(self, request: Request) -> Response:
        store = self._store()
        file_id = request.path_params["file"]
        f = await trio.to_thread.run_sync(store.get, file_id)
        if f is None:
            raise FileRefused(404, "unknown_file", f"expected a file id, got {file_id[:40]!r}")
        reader, _, _ = await self.reader(request, request.query_params.get("token"))
        await self.check_reader(f.dialog, reader, past_holders=True)
        thumb = request.query_params.get("thumbnail") == "1"
        if thumb and not f.thumbnail:
            raise FileRefused(404, "no_thumbnail", f"file {f.id} ({f.type}) has no thumbnail")
        data = await trio.to_thread.run_sync(lambda: store.content(f, thumb=thumb))
        mime = "image/png" if thumb else f.type
        inline = thumb or (f.inline and request.query_params.get("download") != "1")
        disposition = f"{'inline' if inline else 'attachment'}; {header_name(f.name)}"
        if mime.startswith("text/"):
            mime += "; charset=utf-8"
        return Response(data, media_type=mime, headers={
            "content-disposition": disposition,
            "content-security-policy": "sandbox",
            "cache-control": "private, no-cache",
        })
