"""The manager endpoint ``/ws/manager`` (needs a manager session).

``hello``, then ``watch_all`` and at once a ``snapshot`` frame: the snapshot
is queued before any notice of the subscription can be (notices reach the
outbox only through ``run_sync_soon``, which cannot run before this handler
yields), so a notice never precedes the state it changes.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import trio

from frontdesk.adapters.bridge import Delivery
from frontdesk.adapters.wire import Endpoint, Frame
from frontdesk.engine.commands import (
    HelpAck,
    HelpResolve,
    InternalMessage,
    ManagerClose,
    ManagerSay,
    Monitor,
    OperatorInternal,
    TakeOver,
)
from frontdesk.engine.notices import Ack, Notice, Rejected
from frontdesk.web.auth import User, user_json
from frontdesk.web.context import ServerContext
from frontdesk.web.say_text import rendered_say
from frontdesk.web.ws_base import WsConnection

_SOCKETS = itertools.count(1)  # this process's manager sockets, each monitoring on its own


class ManagerConnection(WsConnection):
    kind: ClassVar[Endpoint] = "manager"

    def __init__(self, ctx: ServerContext, ws: Any, user: User) -> None:
        super().__init__(ctx, ws)
        self.user = user
        self.manager_id = user.login
        # the engine counts monitors per socket: closing one of two tabs that monitor a
        # dialog leaves it monitored (engine/dialog_model.py, ``monitors``)
        self.socket_id = f"ws-{next(_SOCKETS)}"
        self._monitored: set[str] = set()
        self._watching = False

    def you(self) -> dict[str, Any]:
        return {"kind": "manager", **user_json(self.user)}

    async def started(self, nursery: trio.Nursery) -> None:
        self.ctx.engine.watch_all(self.sub("all"))
        self._watching = True
        self.send_snapshot()
        nursery.start_soon(self._send_figures)

    async def _send_figures(self) -> None:
        """The live figures (``engine/day_figures.py``), every ``figures_interval_s``: what
        the notices cannot carry (time in status, dialogs today) stays live."""
        while True:
            await trio.sleep(self.ctx.options.figures_interval_s)
            self.send_frame({"type": "figures", **self.ctx.engine.figures()})

    def send_snapshot(self, ref: str | None = None) -> None:
        frame: dict[str, Any] = {"type": "snapshot", **self.ctx.engine.snapshot()}
        frame["series"] = self.ctx.samples.series(frame.get("figures"))  # the chart's hour
        if ref is not None:
            frame["ref"] = ref
        self.send_frame(frame)

    async def handle(self, frame: Frame) -> None:
        engine, ref = self.ctx.engine, frame.ref
        if frame.type == "ping":
            self.send_frame({"type": "pong", "ref": ref})
        elif frame.type == "snapshot":
            self.send_snapshot(ref)
        elif frame.type == "close":
            engine.submit(ManagerClose(self.manager_id, frame.text("dialog"), ref=ref), self.reply)
        elif frame.type == "internal":
            engine.submit(InternalMessage("manager", self.manager_id, self._name(),
                                          frame.text("dialog"), frame.text("text"), ref=ref),
                          self.reply)
        elif frame.type == "help_ack":
            engine.submit(HelpAck(self.manager_id, self._name(), frame.text("dialog"), ref=ref),
                          self.reply)
        elif frame.type == "help_resolve":
            engine.submit(HelpResolve("manager", self.manager_id, self._name(),
                                      frame.text("dialog"), frame.text("text"), ref=ref),
                          self.reply)
        elif frame.type == "operator_internal":
            engine.submit(OperatorInternal("manager", self.manager_id, self._name(),
                                           frame.text("to"), frame.text("text"), ref=ref),
                          self.reply)
        elif frame.type == "say":
            said = await rendered_say(frame)
            engine.submit(ManagerSay(self.manager_id, self._name(), frame.text("dialog"),
                                     said.source, said.format, said.html, said.plain, ref=ref),
                          self.reply)
        elif frame.type == "take_over":
            engine.submit(TakeOver(self.manager_id, self._name(), frame.text("dialog"),
                                   frame.text("to"), frame.text("note"), ref=ref), self.reply)
        elif frame.type == "monitor":
            dialog, on = frame.text("dialog"), frame.flag("on")
            if not on:
                self._unmonitor(dialog)

            def answered(notice: Notice) -> None:
                self.send_frame(notice.to_wire())
                if on and isinstance(notice, Ack) and dialog not in self._monitored:
                    self._monitored.add(dialog)
                    engine.watch_dialog(dialog, self.sub(f"dialog:{dialog}"), after_seq=0,
                                        manager_id=self.manager_id)

            engine.submit(Monitor(self.manager_id, dialog, on, self.socket_id, ref=ref),
                          self.outbox.reply_to(f"monitor:{dialog}", answered))

    def _name(self) -> str:
        return self.user.name or self.user.login

    def _unmonitor(self, dialog: str) -> None:
        self._monitored.discard(dialog)
        sub = self.drop_sub(f"dialog:{dialog}")
        if sub is not None:
            self.ctx.engine.unwatch_dialog(dialog, sub)

    def render(self, delivery: Delivery) -> dict[str, Any] | None:
        notice = delivery.notice
        if isinstance(notice, Rejected) and delivery.tag.startswith("dialog:"):
            self._unmonitor(delivery.tag.removeprefix("dialog:"))
        return notice.to_wire()

    def stopped(self) -> None:
        for dialog in list(self._monitored):
            self._unmonitor(dialog)
            # this manager watches no more (a reload monitors again: sessionStorage)
            self.ctx.engine.submit(Monitor(self.manager_id, dialog, False, self.socket_id))
        if self._watching:
            sub = self.drop_sub("all")
            if sub is not None:
                self.ctx.engine.unwatch_all(sub)
