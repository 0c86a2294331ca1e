"""The operator endpoint ``/ws/operator`` (needs an operator session).

Order on a new socket: ``hello``; the engine login (``OperatorLogin``, which is
idempotent, so every socket of the operator may send it); the client's
``resume`` (or ``resume_wait_s`` without one); then ``watch_operator``. Each
``operator.dialog_added`` that comes through it makes the socket watch that
dialog, after the seq the client gave in ``resume`` (0 otherwise); each
``operator.dialog_removed`` stops that watch. The engine keeps the order of a
dialog's entries and the operator's notices (one store thread, and the bridge
keeps the order of ``run_sync_soon`` calls), so the removal comes after the
dialog's last entry for this operator.

The dialogs of ``resume`` that the operator no longer holds (none of the
``operator.dialog_added`` of the state burst, which ends with the first
``queue.length`` or ``operators``) are watched too, after their seq: one it
held last that closed while the console was away (the visitor closed it, or
inactivity) is replayed up to its ``dialog.closed``, once, and nothing
follows. The engine refuses the others (transferred away, requeued); those
refusals are dropped: the burst already told the client it does not hold them.
"""

from __future__ import annotations

from typing import Any, ClassVar

import trio

from frontdesk.adapters.bridge import Delivery
from frontdesk.adapters.wire import Endpoint, Frame
from frontdesk.engine.commands import (
    AskForHelp,
    HelpResolve,
    InternalMessage,
    MarkImportant,
    OperatorClose,
    OperatorInternal,
    OperatorLogin,
    OperatorLogout,
    OperatorSay,
    SendSurvey,
    SetStatus,
    Transfer,
    Typing,
)
from frontdesk.engine.notices import (
    Ack,
    DialogAdded,
    DialogRemoved,
    MonitoringChanged,
    Notice,
    OperatorsChanged,
    QueueLength,
    Rejected,
)
from frontdesk.web.auth import User, user_json
from frontdesk.web.context import ServerContext
from frontdesk.web.say_text import rendered_say
from frontdesk.web.survey_send import survey_template
from frontdesk.web.ws_base import CLOSE_INTERNAL, CLOSE_NORMAL, WsConnection

NOT_MINE = frozenset({"forbidden", "unknown_dialog"})  # refusals of a watch from resume


class OperatorConnection(WsConnection):
    kind: ClassVar[Endpoint] = "operator"

    def __init__(self, ctx: ServerContext, ws: Any, user: User) -> None:
        super().__init__(ctx, ws)
        self.user = user
        self.operator_id = user.login
        self._logged_in = trio.Event()
        self._resumed = trio.Event()
        self._resume: dict[str, int] = {}
        self._resume_epochs: dict[str, int] = {}  # the epoch of each resumed cursor
        self._watching_operator = False
        self._dialogs: set[str] = set()  # the dialogs watched
        self._unconfirmed: set[str] = set()  # watched from resume, not (yet) announced held
        self._logging_out = False
        self._burst_over = False  # the state burst after watch_operator has come

    def you(self) -> dict[str, Any]:
        return {"kind": "operator", **user_json(self.user)}

    async def started(self, nursery: trio.Nursery) -> None:
        self.ctx.presence.attach(self.operator_id)
        self._attached = True
        login = OperatorLogin(self.operator_id, self.user.name or self.user.login,
                              self.user.capacity)
        self.ctx.engine.submit(login, self.outbox.reply_to("login", self._login_answer))
        nursery.start_soon(self._subscribe_when_ready)

    def _login_answer(self, notice: Notice) -> None:
        if isinstance(notice, Ack):
            self._logged_in.set()
        else:
            self.send_frame(notice.to_wire())
            self.close_after_queued(CLOSE_INTERNAL, "engine login refused")

    async def _subscribe_when_ready(self) -> None:
        with trio.move_on_after(self.ctx.options.resume_wait_s):
            await self._resumed.wait()
        self._resumed.set()
        await self._logged_in.wait()
        self._watching_operator = True
        self.ctx.engine.watch_operator(self.operator_id, self.sub("operator"))

    async def handle(self, frame: Frame) -> None:
        if frame.type == "resume":
            self._resume_epochs.update(frame.seqs("epochs"))
            self._take_resume(frame.seqs("dialogs"))
            return
        if not self._resumed.is_set():
            self._resumed.set()
        # Commands wait for the engine login (frames queue up). Checked first: waiting on an
        # Event already set still yields, which held an operator's socket to one frame per
        # pass of the loop (25 dialogs' messages behind it, seconds late at 2,000 msg/s).
        if not self._logged_in.is_set():
            await self._logged_in.wait()
        engine, op, ref = self.ctx.engine, self.operator_id, frame.ref
        if frame.type == "ping":
            self.send_frame({"type": "pong", "ref": ref})
        elif frame.type == "status":
            engine.submit(SetStatus(op, frame.status(), ref=ref), self.reply)
        elif frame.type == "say":
            said = await rendered_say(frame)
            engine.submit(OperatorSay(op, frame.text("dialog"), said.source, said.format,
                                      said.html, said.plain, ref=ref), self.reply)
        elif frame.type == "typing":
            engine.submit(Typing(frame.text("dialog"), frame.flag("on"), operator_id=op, ref=ref))
        elif frame.type == "transfer":
            command = Transfer(op, frame.text("dialog"), frame.text("to"), frame.text("note"),
                               ref=ref)
            engine.submit(command, self.reply)
        elif frame.type == "close":
            engine.submit(OperatorClose(op, frame.text("dialog"), ref=ref), self.reply)
        elif frame.type == "important":
            engine.submit(MarkImportant(op, frame.text("dialog"), frame.flag("on"), ref=ref),
                          self.reply)
        elif frame.type == "help":
            engine.submit(AskForHelp(op, frame.text("dialog"), frame.text("text"), ref=ref),
                          self.reply)
        elif frame.type == "internal":
            name = self.user.name or self.user.login
            engine.submit(InternalMessage("operator", op, name, frame.text("dialog"),
                                          frame.text("text"), ref=ref), self.reply)
        elif frame.type == "survey":
            await self._send_survey(frame)
        elif frame.type == "help_resolve":
            name = self.user.name or self.user.login
            engine.submit(HelpResolve("operator", op, name, frame.text("dialog"),
                                      frame.text("text"), ref=ref), self.reply)
        elif frame.type == "operator_internal":
            name = self.user.name or self.user.login
            engine.submit(OperatorInternal("operator", op, name, op, frame.text("text"), ref=ref),
                          self.reply)
        elif frame.type == "logout":
            engine.submit(OperatorLogout(op, ref=ref), self.outbox.reply_to("logout", self._out))

    async def _send_survey(self, frame: Frame) -> None:
        """The template's questions are read now and frozen in the engine's command."""
        template = await survey_template(self.ctx, frame.number("survey"), frame.ref)
        questions = tuple(q.to_json() for q in template.questions)
        self.ctx.engine.submit(SendSurvey(self.operator_id, frame.text("dialog"), template.id,
                                          template.title, questions, ref=frame.ref), self.reply)

    def _take_resume(self, seqs: dict[str, int]) -> None:
        if not self._resumed.is_set():
            self._resume = dict(seqs)
            self._resumed.set()
            return
        for dialog, after in seqs.items():  # a later resume: replay those dialogs again
            if dialog in self._dialogs:
                self._watch_dialog(dialog, after)
            elif self._burst_over:
                self._watch_not_held({dialog: after})
            else:
                self._resume[dialog] = after

    def _watch_not_held(self, seqs: dict[str, int]) -> None:
        """Watch resumed dialogs the operator does not hold (see the top)."""
        for dialog, after in seqs.items():
            self._unconfirmed.add(dialog)
            self._watch_dialog(dialog, after)

    def _out(self, notice: Notice) -> None:
        """Trio thread: the engine answered ``logout``; close every socket of this operator."""
        self.send_frame(notice.to_wire())
        if not isinstance(notice, Ack):
            return
        self.ctx.presence.forget(self.operator_id)
        for conn in list(self.ctx.connections):
            if isinstance(conn, OperatorConnection) and conn.operator_id == self.operator_id:
                conn._logging_out = True
                conn.close_after_queued(CLOSE_NORMAL, "logged out")

    def _watch_dialog(self, dialog: str, after_seq: int) -> None:
        tag = f"dialog:{dialog}"
        old = self.drop_sub(tag)
        if old is not None:
            self.ctx.engine.unwatch_dialog(dialog, old)
        self._dialogs.add(dialog)
        epoch = self._resume_epochs.pop(dialog, None) if after_seq else None
        self.ctx.engine.watch_dialog(
            dialog, self.sub(tag), after_seq=after_seq, operator_id=self.operator_id,
            after_epoch=epoch,
        )

    def render(self, delivery: Delivery) -> dict[str, Any] | None:
        notice = delivery.notice
        if isinstance(notice, MonitoringChanged) and not self.ctx.options.show_monitoring:
            return None  # [supervision] show_monitoring = false: nothing of it
        if delivery.tag == "operator":
            if isinstance(notice, DialogAdded):
                self._unconfirmed.discard(notice.dialog)
                if notice.dialog not in self._dialogs:
                    self._watch_dialog(notice.dialog, self._resume.pop(notice.dialog, 0))
            elif isinstance(notice, DialogRemoved):
                self._unwatch_dialog(notice.dialog)
            elif isinstance(notice, QueueLength | OperatorsChanged) and not self._burst_over:
                self._burst_over = True
                not_held, self._resume = self._resume, {}
                self._watch_not_held(not_held)
        elif isinstance(notice, Rejected) and delivery.tag.startswith("dialog:"):
            dialog = delivery.tag.removeprefix("dialog:")
            unconfirmed = dialog in self._unconfirmed
            self._unwatch_dialog(dialog)
            if unconfirmed and notice.code in NOT_MINE:
                return None  # a resumed dialog that is no longer this operator's
            frame = notice.to_wire()
            if frame.get("dialog") is None:
                frame["dialog"] = dialog
            return frame
        return notice.to_wire()

    def _unwatch_dialog(self, dialog: str) -> None:
        self._dialogs.discard(dialog)
        self._unconfirmed.discard(dialog)
        sub = self.drop_sub(f"dialog:{dialog}")
        if sub is not None:
            self.ctx.engine.unwatch_dialog(dialog, sub)

    def stopped(self) -> None:
        engine = self.ctx.engine
        if self._watching_operator:
            sub = self.drop_sub("operator")
            if sub is not None:
                engine.unwatch_operator(self.operator_id, sub)
        for dialog in list(self._dialogs):
            self._unwatch_dialog(dialog)
        if getattr(self, "_attached", False):
            self.ctx.presence.detach(self.operator_id, self.ctx.require_bridge(),
                                     logged_out=self._logging_out)
