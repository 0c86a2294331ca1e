"""The OperatorActor: one per logged-in operator, a thin shell around ``operator_state``.

It arms the clock timers the state machine needs: the looking-for-information
reminder (first after ``looking_for_info_reminder_delay_s``, then every
``looking_for_info_reminder_interval_s`` until the status changes) and the
transfer timeout (``transfer_timeout_s``) of each transfer it started.

An actor the engine restored from the journal at start (``restored``: no console
has logged in on this run yet) also arms ``restored_operator_grace_s``: a fresh
``OperatorLogin`` (the console is back) disarms it; if it fires the operator is
logged out and their dialogs go back to the queue, as after a closed socket's grace.
"""

from __future__ import annotations

from frontdesk.engine import commands, events, messages, notices, operator_state
from frontdesk.engine.actor import Context, EngineActor


class OperatorActor(EngineActor):
    def __init__(
        self, address: str, ctx: Context, state: operator_state.OperatorState,
        restored: bool = False
    ) -> None:
        super().__init__(address, ctx)
        self.state = state
        self.restored = restored

    def started(self) -> None:
        self.commit(messages.Decision((), (messages.Tell("queue", self.state.availability()),)))
        if self.state.status.tells_visitors:
            cfg = self.ctx.settings
            elapsed = self.now() - self.state.status_since
            delay = cfg.looking_for_info_reminder_delay_s - elapsed
            if delay < 0:
                interval = max(cfg.looking_for_info_reminder_interval_s, 1e-3)
                delay = interval - ((-delay) % interval)
            self.arm("looking", delay)
        grace = self.ctx.settings.restored_operator_grace_s
        if self.restored and grace is not None and self.state.logged_in:
            self.arm(operator_state.RESTORED_TICK, grace)

    def handle(self, message: object) -> None:
        if isinstance(message, messages.Watch):
            self._watch(message.subscriber)
            return
        if isinstance(message, messages.Unwatch):
            self.directory.remove_watcher(self.address, message.subscriber)
            return
        if isinstance(message, messages.Retire):
            self.retire()
            return
        if isinstance(message, messages.Inbound) and isinstance(message.command,
                                                                commands.OperatorLogin):
            self.disarm(operator_state.RESTORED_TICK)  # the console logged in again
        if isinstance(message, messages.Tick):
            if not self.tick_is_current(message):
                return
            if message.kind == "looking":
                self.arm("looking", self.ctx.settings.looking_for_info_reminder_interval_s)
        before = self.state
        decision = operator_state.decide(self.state, message, self.now(), self.ctx.settings)
        for e in decision.events:
            self.state = operator_state.apply(self.state, e)
            if isinstance(e, events.OperatorLoggedOut):
                self.directory.leaving(self.address)
        self.commit(decision)
        self._timers_after(before)

    def _timers_after(self, before: operator_state.OperatorState) -> None:
        s = self.state
        if s.status is not before.status or not s.logged_in:
            if s.status.tells_visitors and s.logged_in:
                self.arm("looking", self.ctx.settings.looking_for_info_reminder_delay_s)
            else:
                self.disarm("looking")
        for tid in s.pending.keys() - before.pending.keys():
            self.arm("transfer", self.ctx.settings.transfer_timeout_s, tid)
        for tid in before.pending.keys() - s.pending.keys():
            self.disarm("transfer", tid)

    def _watch(self, subscriber: notices.Subscriber) -> None:
        s = self.state
        subs = (subscriber,)
        fx: list[messages.Effect] = [
            messages.Deliver(subs, notices.StatusChanged(s.id, s.status.value, s.status_since),
                             False)
        ]
        fx += [messages.Deliver(subs, added, False) for added in s.held.values()]
        # the general internal conversation so far (a reload of the console shows it)
        fx += [messages.Deliver(subs, note, False) for note in s.messages]
        # then the queue tells the length and the operators list (which end the burst)
        fx.append(messages.Tell("queue", messages.WatchQueue(subscriber)))
        self.directory.add_watcher(self.address, subscriber, "operator")
        self.commit(messages.Decision((), tuple(fx)))
