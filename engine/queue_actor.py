"""The QueueActor: routing, a thin shell around ``queue_state.step`` (each message
answers the queue's next state, a value, and the effects the shell commits).

It sends itself the ``FlushInfo`` that batches the queue's broadcasts and the
``TellPositions`` that go on with a broadcast told in chunks, and arms the timer
that tells the positions held back by pacing (see ``engine/queue_state.py``).
"""

from __future__ import annotations

import dataclasses

from frontdesk.engine import messages, queue_state
from frontdesk.engine.actor import Context, EngineActor

POSITIONS = "positions"  # the timer of the paced positions


class QueueActor(EngineActor):
    def __init__(self, address: str, ctx: Context, state: queue_state.QueueState) -> None:
        super().__init__(address, ctx)
        self.state = dataclasses.replace(state,
                                         position_interval_s=ctx.settings.position_interval_s)
        self._more_sent = False  # a TellPositions is on its way

    def started(self) -> None:
        # a restart flushes at once: the FlushInfo a crash bounced must not be waited for
        self.state, offers = queue_state.assign(self.state)
        self.state, told = queue_state.flush(self.state, self.now())
        self.commit(messages.Decision((), offers + told))
        self._arm_positions()

    def handle(self, message: object) -> None:
        if isinstance(message, messages.WatchQueue):
            # told the current values first, then a watcher: no change can overtake them
            self.commit(messages.Decision((), queue_state.told_now(self.state, message.subscriber)))
            self.directory.add_watcher(self.address, message.subscriber, "operator")
            return
        if isinstance(message, messages.TellPositions) or (
            isinstance(message, messages.Undeliverable)
            and isinstance(message.message, messages.TellPositions)
        ):
            self._more_sent = False
            self._tell_positions()
            return
        if isinstance(message, messages.Tick):
            if message.kind == POSITIONS and self.tick_is_current(message):
                self._tell_positions()
            return
        was_pending = self.state.flush_pending
        self.state, effects = queue_state.step(self.state, message, self.now())
        self.commit(messages.Decision((), effects))
        if queue_state.needs_flush(was_pending, self.state):
            # through the directory: in the ledger, so ``settle()`` waits for the flush
            self.directory.send(self.address, messages.FlushInfo(), self.address)
        self._arm_positions()

    def _tell_positions(self) -> None:
        self.state, told = queue_state.tell_positions(self.state, self.now())
        self.commit(messages.Decision((), told))
        self._arm_positions()

    def _arm_positions(self) -> None:
        if self.state.positions_more and not self._more_sent:
            # through the directory: in the ledger, so ``settle()`` waits for the broadcast
            self._more_sent = True
            self.directory.send(self.address, messages.TellPositions(), self.address)
        due = self.state.positions_due
        if due is not None and not self.is_armed(POSITIONS):
            self.arm(POSITIONS, max(0.0, due - self.now()))
