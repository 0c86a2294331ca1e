"""The supervisor: opens dialogs, logs operators in, restarts what crashes.

* ``OpenDialog``: takes the next dialog number (``d-<n>``), starts the
  DialogActor, commits ``dialog.opened`` with the effects "enqueue" and "Ack".
* ``OperatorLogin``: idempotent for an operator already logged in; otherwise
  commits ``operator.logged_in`` and starts the OperatorActor (which tells the
  queue its availability). A login while the previous session is still
  retiring waits for ``Retired``.
* ``ActorCrashed``: restart intensity as in Erlang — more than
  ``max_restarts`` restarts of one address within ``max_restarts_within_s``
  and the address is given up (its ledger answered as undeliverable, a
  ``node.actor_failed`` notice to managers, an ERROR log). Otherwise it asks
  the store to ``Rebuild`` the address: that message queues behind every
  commit the dead actor made, so the state read from the journal includes
  them; on ``Rebuilt`` a new actor starts under the same address and the
  directory redelivers the messages still in its ledger.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from engine import commands as c
from engine import dialog_state as ds
from engine import events as ev
from engine import messages as m
from engine import notices as n
from engine import operator_state as os_
from engine.actor import Context, EngineActor
from engine.dialog_actor import DialogActor
from engine.directory import Envelope
from engine.operator_actor import OperatorActor
from engine.queue_actor import QueueActor

log = logging.getLogger("frontdesk.engine.supervisor")


class Supervisor(EngineActor):
    def __init__(self, address: str, ctx: Context, next_number: int) -> None:
        super().__init__(address, ctx)
        self.next_number = next_number
        self.restarts: dict[str, deque[float]] = {}
        self.waiting_logins: dict[str, list[m.Inbound]] = {}
        self.given_up: dict[str, str] = {}

    def _crash(self, error: Exception, env: Envelope | None) -> None:
        log.error("the supervisor failed handling %s: %r", env, error, exc_info=True)
        if env is not None:
            self.directory.done(self.address, env.id)

    def handle(self, message: Any) -> None:
        if isinstance(message, m.Inbound):
            if isinstance(message.command, c.OpenDialog):
                self._open(message, message.command)
            elif isinstance(message.command, c.OperatorLogin):
                self._login(message, message.command)
        elif isinstance(message, m.ActorCrashed):
            self._crashed(message)
        elif isinstance(message, m.Rebuilt):
            self._rebuilt(message)
        elif isinstance(message, m.Retired):
            for inbound in self.waiting_logins.pop(message.address, []):
                assert isinstance(inbound.command, c.OperatorLogin)
                self._login(inbound, inbound.command)

    # --- dialogs and operators ---------------------------------------------------------

    def _open(self, inbound: m.Inbound, cmd: c.OpenDialog) -> None:
        number = self.next_number
        self.next_number += 1
        dialog = f"d-{number}"
        e = ev.DialogOpenedEv(
            dialog=dialog,
            at=self.now(),
            seq=1,
            number=number,
            token_hash=cmd.token_hash,
            visitor_name=cmd.visitor_name,
            info=dict(cmd.info),
            priority=cmd.priority,
        )
        state = ds.opened(e)
        DialogActor.launch(state.address, self.ctx, state)
        self.commit(
            m.Decision(
                (e,),
                (
                    m.Deliver((), state.history[0]),
                    m.Tell("queue", m.Enqueue(dialog, number, cmd.priority)),
                    m.Reply(inbound.reply_to, n.Ack(cmd.ref, dialog, 1, {"dialog": dialog})),
                ),
            )
        )

    def _login(self, inbound: m.Inbound, cmd: c.OperatorLogin) -> None:
        address = f"operator:{cmd.operator_id}"
        ack = m.Reply(inbound.reply_to, n.Ack(cmd.ref))
        state_now = self.directory.state(address)
        if state_now == "leaving":
            self.waiting_logins.setdefault(address, []).append(inbound)
            return
        self.given_up.pop(address, None)
        if state_now in ("live", "restarting"):
            self.commit(m.Decision((), (ack,)))
            return
        if cmd.capacity is not None and cmd.capacity < 0:
            rej = n.Rejected(cmd.ref, "invalid", f"cannot log in {cmd.operator_id}: capacity < 0")
            self.commit(m.Decision((), (m.Reply(inbound.reply_to, rej),)))
            return
        e = ev.OperatorLoggedInEv(
            operator=cmd.operator_id, at=self.now(), name=cmd.name, capacity=cmd.capacity
        )
        state = os_.logged_in(e, self.ctx.settings.default_capacity)
        self.commit(
            m.Decision(
                (e,), (m.Deliver((), n.StatusChanged(state.id, state.status.value, e.at)), ack)
            )
        )
        OperatorActor.launch(address, self.ctx, state)

    # --- supervision -----------------------------------------------------------------------

    def _crashed(self, crash: m.ActorCrashed) -> None:
        address = crash.address
        now = self.now()
        window = self.ctx.settings.max_restarts_within_s
        times = self.restarts.setdefault(address, deque())
        while times and now - times[0] > window:
            times.popleft()
        if len(times) >= self.ctx.settings.max_restarts:
            self.given_up[address] = crash.error
            log.error(
                "%s crashed %d times within %g s; giving it up (last error: %s)",
                address,
                len(times) + 1,
                window,
                crash.error,
                extra={"injected": crash.injected},
            )
            self.directory.fail(address)
            report = n.ActorFailed(address, len(times), crash.error)
            self.commit(m.Decision((), (m.Deliver((), report),)))
            return
        times.append(now)
        self.directory.send("store", m.Rebuild(address), self.address)

    def _rebuilt(self, rebuilt: m.Rebuilt) -> None:
        address, state = rebuilt.address, rebuilt.state
        if address in self.given_up:
            return
        if state is None:  # closed or logged out meanwhile: nobody to restart
            self.directory.retire(address, None)
            self.handle(m.Retired(address))
            return
        if isinstance(state, ds.DialogState):
            DialogActor.launch(address, self.ctx, state)
        elif isinstance(state, os_.OperatorState):
            OperatorActor.launch(address, self.ctx, state)
        else:
            QueueActor.launch(address, self.ctx, state)
