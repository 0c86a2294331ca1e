"""The QueueActor: routing, a thin shell around ``queue_state.step``."""

from __future__ import annotations

from typing import Any

from engine import messages as m
from engine import queue_state as qs
from engine.actor import Context, EngineActor


class QueueActor(EngineActor):
    def __init__(self, address: str, ctx: Context, state: qs.QueueState) -> None:
        super().__init__(address, ctx)
        self.state = state

    def started(self) -> None:
        self.state, effects = qs.step(self.state, None)
        self.commit(m.Decision((), effects))

    def handle(self, message: Any) -> None:
        self.state, effects = qs.step(self.state, message)
        self.commit(m.Decision((), effects))
