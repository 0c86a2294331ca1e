"""The visitor endpoint ``/ws/visitor``: open or resume dialogs by token, say, type, close.

A visitor has no account: it proves a dialog is its own with its token — one
the widget made and sent with ``open`` (validated by ``frontdesk.adapters.wire``: at
least 32 random url-safe characters), else one the server makes
(``secrets.token_urlsafe(32)``); either way it is handed back in the ack. The
engine only ever sees the token's SHA-256, so the journal holds nothing that
lets anyone act as the visitor. Because the engine dedupes ``open`` by that
hash, an ``open`` re-sent with the same token after a lost ack gets the same
dialog.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from frontdesk.adapters.bridge import Delivery
from frontdesk.adapters.wire import Endpoint, Frame, WireError
from frontdesk.engine.commands import (
    AnswerSurvey,
    OpenDialog,
    Typing,
    VisitorClose,
    VisitorSay,
)
from frontdesk.engine.notices import Ack, Notice, Rejected
from frontdesk.web.say_text import rendered_say
from frontdesk.web.ws_base import WsConnection


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class VisitorConnection(WsConnection):
    kind: ClassVar[Endpoint] = "visitor"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: dict[str, str] = {}  # dialog id -> token hash, for dialogs on this socket
        self.current: str | None = None
        self.hidden = False  # the page of this socket is out of view (the presence frame)

    def you(self) -> dict[str, Any]:
        return {"kind": "visitor"}

    async def handle(self, frame: Frame) -> None:
        engine = self.ctx.engine
        if frame.type == "ping":
            self.send_frame({"type": "pong", "ref": frame.ref})
        elif frame.type == "open":
            token = frame.opt_text("token") or secrets.token_urlsafe(32)
            hashed = token_hash(token)
            info = tuple(sorted(frame.info("info").items()))
            command = OpenDialog(
                token_hash=hashed, visitor_name=frame.text("name").strip(), info=info, ref=frame.ref
            )

            def opened(notice: Notice) -> None:
                self._opened(notice, token, hashed)

            engine.submit(command, self.outbox.reply_to(f"open:{frame.ref}", opened))
        elif frame.type == "resume":
            dialog = frame.text("dialog")
            hashed = token_hash(frame.text("token"))
            after_epoch = frame.number("after_epoch", -1)  # -1: not given (no epoch check)
            self._watch(dialog, hashed, frame.number("after_seq"), frame.ref,
                        after_epoch if after_epoch >= 0 else None)
        else:
            dialog, hashed = self._target(frame)
            if frame.type == "say":
                said = await rendered_say(frame)
                say = VisitorSay(dialog, hashed, said.source, said.format, said.html,
                              said.plain, ref=frame.ref)
                engine.submit(say, self.reply)
            elif frame.type == "typing":
                engine.submit(Typing(dialog, frame.flag("on"), token_hash=hashed, ref=frame.ref))
            elif frame.type == "presence":
                self.hidden = frame.flag("away")
                for watched in self.tokens:
                    self.ctx.visitor_presence.set_hidden(watched, id(self), self.hidden)
            elif frame.type == "close":
                engine.submit(VisitorClose(dialog, hashed, ref=frame.ref), self.reply)
            elif frame.type == "survey_answer":
                answer = AnswerSurvey(dialog, hashed, frame.number("survey"), frame.answers(),
                                      ref=frame.ref)
                engine.submit(answer, self.reply)

    def _target(self, frame: Frame) -> tuple[str, str]:
        dialog = frame.opt_text("dialog") or self.current
        if dialog is None:
            raise WireError(
                "invalid", f"cannot {frame.type}: no dialog is open on this socket", frame.ref
            )
        hashed = self.tokens.get(dialog)
        if hashed is None:
            raise WireError(
                "invalid",
                f"cannot {frame.type} in dialog {dialog}: open or resume it on this socket first",
                frame.ref,
            )
        return dialog, hashed

    def _opened(self, notice: Notice, token: str, hashed: str) -> None:
        """Trio thread: the engine answered ``open``."""
        if self._closed:  # the socket went before the ack: the client re-sends its open
            return
        if isinstance(notice, Ack) and notice.dialog is not None:
            frame = notice.to_wire()
            frame["data"] = {**notice.data, "token": token}
            self.send_frame(frame)
            self._watch(notice.dialog, hashed, 0, None)
        else:
            self.send_frame(notice.to_wire())

    def _watch(
        self, dialog: str, hashed: str, after_seq: int, ref: str | None,
        after_epoch: int | None = None,
    ) -> None:
        old = self.drop_sub(f"dialog:{dialog}")
        if old is not None:
            self.ctx.engine.unwatch_dialog(dialog, old)
        self.tokens[dialog] = hashed
        self.current = dialog
        self.ctx.visitor_presence.attach(dialog, id(self), self.hidden)
        self.ctx.engine.watch_dialog(
            dialog, self.sub(f"dialog:{dialog}"), after_seq=after_seq, token_hash=hashed, ref=ref,
            after_epoch=after_epoch,
        )

    def render(self, delivery: Delivery) -> dict[str, Any] | None:
        notice = delivery.notice
        if isinstance(notice, Rejected) and delivery.tag.startswith("dialog:"):
            # the watch was refused (wrong token, unknown dialog): forget the dialog
            dialog = delivery.tag.removeprefix("dialog:")
            if self.tokens.pop(dialog, None) is not None:
                self.ctx.visitor_presence.detach(dialog, id(self), self.ctx.require_bridge())
            if self.current == dialog:
                self.current = None
            sub = self.drop_sub(delivery.tag)
            if sub is not None:
                self.ctx.engine.unwatch_dialog(dialog, sub)
            frame = notice.to_wire()
            frame.setdefault("dialog", dialog)
            if frame.get("dialog") is None:
                frame["dialog"] = dialog
            return frame
        return notice.to_wire()

    def stopped(self) -> None:
        bridge = self.ctx.require_bridge()
        for dialog in list(self.tokens):
            self.ctx.visitor_presence.detach(dialog, id(self), bridge)
        for tag, sub in list(self._subs.items()):
            if tag.startswith("dialog:"):
                self.ctx.engine.unwatch_dialog(tag.removeprefix("dialog:"), sub)
        self._subs.clear()
