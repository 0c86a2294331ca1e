"""The DialogActor: one per open dialog, a thin shell around ``dialog_state``.

It owns the dialog's watchers (kept in the directory so they survive a
restart): a ``Watch`` replays the history after ``after_seq`` and adds the
subscriber in the same handler (``engine/dialog_watch.py``; once the dialog is
closed, the replay is all the watcher gets), and the replay goes through the store's queue
like every other delivery, so it is never ahead of durability and nothing is
missed or sent twice. It arms the inactivity timer on the clock.
"""

from __future__ import annotations

from frontdesk.engine import audience, dialog_state, dialog_watch, events, messages
from frontdesk.engine.actor import Context, EngineActor


class DialogActor(EngineActor):
    def __init__(self, address: str, ctx: Context, state: dialog_state.DialogState) -> None:
        super().__init__(address, ctx)
        self.state = state
        self._reply_due: float | None = None  # the reply timer's due time, when armed

    def started(self) -> None:
        self._arm_inactivity()
        self._arm_reply()
        holder = self.state.operator
        if holder is not None and not self.directory.is_live(f"operator:{holder}"):
            # the holder logged out while we were down (its OperatorGone may be lost)
            self.directory.send(self.address, messages.OperatorGone(holder), self.address)

    def handle(self, message: object) -> None:
        if isinstance(message, messages.Watch):
            self._watch(message)
            return
        if isinstance(message, messages.Unwatch):
            self.directory.remove_watcher(self.address, message.subscriber)
            return
        if isinstance(message, messages.Retire):
            self.retire()
            return
        if isinstance(message, messages.Tick) and not self.tick_is_current(message):
            return
        if isinstance(message, messages.CompleteTransfer) and not self.directory.is_live(
            f"operator:{message.to_operator}"
        ):
            message = messages.AbortTransfer(
                message.tid,
                message.dialog,
                message.from_operator,
                "unknown_operator",
                f"cannot transfer dialog {self.state.id} to {message.to_operator}:"
                f" {message.to_operator} logged out",
                message.ref,
                message.reply_to,
            )
        decision = dialog_state.decide(self.state, message, self.now(), self.ctx.settings)
        for e in decision.events:
            self.state = dialog_state.apply(self.state, e)
        self.commit(decision)
        if isinstance(message, messages.Tick) and message.kind == "inactivity":
            self._arm_inactivity()
        elif any(isinstance(e, events.MonitoredLinkUsed) for e in decision.events):
            self._arm_inactivity()  # the person came: silent from now, not from the expiry
        if isinstance(message, messages.Tick) and message.kind == "reply":
            self._reply_due = None  # consumed: armed again below if still due
        self._arm_reply()

    def _arm_reply(self) -> None:
        """The reply timeout's timer, armed only when its due time changes (a visitor's
        message that is not the first unanswered one changes nothing)."""
        due = self.state.reply_due(self.ctx.settings.reply_timeout_s)
        if due == self._reply_due:
            return
        self._reply_due = due
        if due is None:
            self.disarm("reply")
        else:
            self.arm("reply", max(0.0, due - self.now()))
            if due <= self.now():  # already overdue (a restart): now, not at the next tick
                generation = self._timers[("reply", "")][0]
                self.directory.send(self.address, messages.Tick("reply", generation))

    def _arm_inactivity(self) -> None:
        """One timer at a time: when it fires, the dialog closes if the visitor has been
        silent long enough, else the timer is armed again for the time left (so a busy
        dialog does not leave a cancelled timer behind every message)."""
        timeout = self.ctx.settings.visitor_inactivity_timeout_s
        if timeout <= 0 or self.state.phase is dialog_state.Phase.CLOSED:
            self.disarm("inactivity")
            return
        self.arm("inactivity", max(0.0, self.state.quiet_since() + timeout - self.now()))

    def _watch(self, w: messages.Watch) -> None:
        who = audience.of_watch(self.state, w)
        if who is not None and self.state.phase is not dialog_state.Phase.CLOSED:
            # closed (retiring): the replay ends with dialog.closed; nothing live follows
            self.directory.add_watcher(self.address, w.subscriber, who)
        self.commit(messages.Decision((), dialog_watch.replay(self.state, w)))
