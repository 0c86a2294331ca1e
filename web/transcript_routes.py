"""The transcript by e-mail and the print view's data (``docs/protocol.md``, "Transcript by
e-mail" and "Print view").

- ``POST /api/dialogs/{dialog}/transcript`` ``{"to"?, "note"?}`` queues the transcript in the
  mail outbox: an operator (the holder, or who held it last) or a manager, with their session
  cookie, to any address (default: the visitor's ``email`` information); a visitor, with its
  dialog ``token`` in the body, once the chat has ended. The outcome comes back into the dialog
  as a staff-only ``dialog.mail`` entry (while the dialog is open).
- ``GET /api/dialogs/{dialog}/history`` the whole history for the print view (staff).
- ``GET /dialogs/{dialog}/print`` the print page itself (``web/static/print.html``).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import trio
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.adapters.json_limits import JsonLimitError
from frontdesk.adapters.mail import MailError, MailOutcome, QueuedMail
from frontdesk.adapters.mail.transcript import NOTE_MAX_CHARS, build_transcript, visitor_entries
from frontdesk.engine import notices
from frontdesk.engine.commands import RecordMail
from frontdesk.web import auth
from frontdesk.web.context import ServerContext
from frontdesk.web.dialog_history import HistoryRefused, read_history
from frontdesk.web.http_routes import api_error
from frontdesk.web.json_body import check_json_body
from frontdesk.web.ws_visitor import token_hash

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 8192
VISITOR_TRANSCRIPTS_PER_DIALOG = 3  # a visitor's requests, so the form is no mail cannon
DIALOG_ID_CHARS = 64


def routes(ctx: ServerContext) -> list[BaseRoute]:
    t = TranscriptRoutes(ctx)
    if ctx.mail is not None:
        ctx.mail.on_outcome("transcript", t.report)
    return [
        Route("/api/dialogs/{dialog}/transcript", t.send, methods=["POST"]),
        Route("/api/dialogs/{dialog}/history", t.history),
        Route("/dialogs/{dialog}/print", t.print_page),
    ]


def mail_json(mail: QueuedMail) -> dict[str, Any]:
    """An outbox row about a dialog, for staff: also the outcomes a closed dialog could not
    take as entries."""
    return {"id": mail.id, "kind": mail.kind, "to": mail.to, "status": mail.status,
            "attempts": mail.attempts, "error": mail.last_error, "queued_at": mail.created_at,
            "done_at": mail.done_at}


def bad_dialog_id(dialog: str) -> Response | None:
    """A 400 for a path's dialog id that no dialog can have (engine ids are like ``d-17``)."""
    if len(dialog) <= DIALOG_ID_CHARS and dialog.isprintable() and dialog.strip() == dialog \
            and dialog:
        return None
    shown = dialog if len(dialog) <= 40 else dialog[:37] + "..."
    return api_error(400, "bad_dialog", f"expected a dialog id like d-17, got {shown!r}")


class TranscriptRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def report(self, outcome: MailOutcome) -> None:
        """The worker's outcome of a transcript: a staff-only entry in the dialog."""
        status: Literal["sent", "failed"] = "sent" if outcome.status == "sent" else "failed"

        def answered(notice: notices.Notice) -> None:
            if isinstance(notice, notices.Rejected):  # closed meanwhile: the outbox keeps it
                log.info("transcript mail %d %s (not recorded in %s: %s)", outcome.id,
                         outcome.describe(), outcome.subject_id, notice.message)

        self.ctx.engine.submit(
            RecordMail(outcome.subject_id, "transcript", outcome.to, status,
                       outcome.describe()), answered)

    async def _staff(self, request: Request) -> tuple[Any, Response | None]:
        user = await auth.session_user(self.ctx.accounts, request.cookies)
        if user is None:
            return None, api_error(401, "no_session", "expected an operator's or a manager's "
                                   "session cookie (log in first)")
        return user, None

    async def send(self, request: Request) -> Response:
        """The request (see the module docstring); an allowed foreign origin (the widget on
        a customer's site) is answered with ``Access-Control-Allow-Origin`` for it."""
        answer = await self._send(request)
        origin = request.headers.get("origin")
        if origin is not None and auth.origin_allowed(origin, request.headers.get("host"),
                                                      self.ctx.options.allowed_origins):
            answer.headers["access-control-allow-origin"] = origin
            answer.headers["vary"] = "Origin"
        return answer

    async def _send(self, request: Request) -> Response:
        dialog = request.path_params["dialog"]
        if (bad := bad_dialog_id(dialog)) is not None:
            return bad
        if self.ctx.mail is None:
            return api_error(503, "mail_unavailable", "this server has no mail outbox")
        if request.headers.get("origin") is not None and not auth.origin_allowed(
                request.headers.get("origin"), request.headers.get("host"),
                self.ctx.options.allowed_origins):
            return api_error(403, "forbidden_origin", "expected a request from this site")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return api_error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
        try:  # the widget posts text/plain (no CORS preflight): the body guard's checks here
            check_json_body(body)
            data = json.loads(body or b"{}")
        except JsonLimitError as exc:
            return api_error(400, exc.code, exc.message)
        except (ValueError, UnicodeDecodeError) as exc:
            return api_error(400, "bad_json", f"expected a JSON object {{to, note}}: {exc}")
        if not isinstance(data, dict):
            return api_error(400, "bad_json", f"expected a JSON object {{to, note}}, "
                             f"got {type(data).__name__}")
        note, to = data.get("note", ""), data.get("to")
        if not isinstance(note, str) or len(note) > NOTE_MAX_CHARS:
            return api_error(400, "bad_note", f"note: expected a string of at most "
                             f"{NOTE_MAX_CHARS} characters, got "
                             f"{len(note) if isinstance(note, str) else type(note).__name__}"
                             f"{' characters' if isinstance(note, str) else ''}")
        if to is not None and not isinstance(to, str):
            return api_error(400, "bad_address", f"to: expected an e-mail address, got "
                             f"{type(to).__name__}")
        reader: dict[str, str] = {}
        token = data.get("token")
        if token is not None:  # the visitor, by its dialog's token
            if not isinstance(token, str) or not token or len(token) > 256:
                return api_error(400, "bad_token", "token: expected the dialog's token")
            reader["token_hash"] = token_hash(token)
            if note:
                return api_error(400, "bad_note", "note: a visitor's request has no note")
        else:
            user, refusal = await self._staff(request)
            if refusal is not None:
                return refusal
            key = "manager_id" if auth.has_role(user, "manager") else "operator_id"
            reader[key] = user.login
        try:
            entries, closed = await read_history(self.ctx, dialog, **reader)
        except HistoryRefused as refused:
            return api_error(refused.status, refused.code, refused.message)
        if "token_hash" in reader:
            if not closed:
                return api_error(409, "dialog_open", f"dialog {dialog} has not ended: a visitor "
                                 "asks for the transcript once the chat is over")
            sent = [m for m in await self._mails(dialog) if m.kind == "transcript"]
            if len(sent) >= VISITOR_TRANSCRIPTS_PER_DIALOG:
                return api_error(429, "too_many", f"dialog {dialog} has had its "
                                 f"{VISITOR_TRANSCRIPTS_PER_DIALOG} transcripts already")
        frames = visitor_entries(entries)
        if to is None or not to.strip():
            opened = next((f for f in frames if f["type"] == "dialog.opened"), {})
            to = str(dict(opened.get("info") or {}).get("email", ""))
            if not to:
                return api_error(400, "no_address", "to: expected an e-mail address (the "
                                 "visitor gave none)")
        transcript = build_transcript(dialog, frames, note=note.strip(),
                                      site="frontdesk")
        try:
            queued = await self.ctx.mail.queue(
                "transcript", dialog, to=to, subject=transcript.subject, text=transcript.text,
                html=transcript.html)
        except MailError as exc:
            code = "bad_address" if "expected an e-mail address" in str(exc) else "mail_failed"
            return api_error(400 if code == "bad_address" else 503, code, str(exc))
        return JSONResponse({"mail": queued.id, "dialog": dialog, "to": queued.to,
                             "status": queued.status}, 202)

    async def _mails(self, dialog: str) -> list[QueuedMail]:
        assert self.ctx.mail is not None
        return await trio.to_thread.run_sync(self.ctx.mail.outbox.of_subject, dialog)

    async def history(self, request: Request) -> Response:
        dialog = request.path_params["dialog"]
        if (bad := bad_dialog_id(dialog)) is not None:
            return bad
        user, refusal = await self._staff(request)
        if refusal is not None:
            return refusal
        key = "manager_id" if auth.has_role(user, "manager") else "operator_id"
        try:
            entries, closed = await read_history(self.ctx, dialog, **{key: user.login})
        except HistoryRefused as refused:
            return api_error(refused.status, refused.code, refused.message)
        mails = await self._mails(dialog) if self.ctx.mail is not None else []
        return JSONResponse({"dialog": dialog, "closed": closed,
                             "entries": [e.to_wire() for e in entries],
                             "mails": [mail_json(m) for m in mails]},
                            headers={"cache-control": "no-store"})

    async def print_page(self, request: Request) -> Response:
        return FileResponse(self.ctx.options.static_dir / "print.html",
                            headers={"cache-control": "no-store"})
