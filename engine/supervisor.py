"""The supervisor: opens dialogs, logs operators in, restarts what crashes.

* ``OpenDialog``: takes the next dialog number (``d-<n>``), starts the
  DialogActor, commits ``dialog.opened`` with the effects "enqueue" and "Ack".
  Idempotent by token: while a dialog opened with the same ``token_hash`` is
  open, a second ``OpenDialog`` (a client re-sending after a lost ack) opens
  nothing and is answered with an Ack for that dialog — through the store, so
  never before the first one is durable.
* ``OperatorLogin``: a new operator commits ``operator.logged_in`` and starts
  the OperatorActor (which tells the queue its availability). For an operator
  whose actor lives, the login is forwarded to that actor, behind whatever it
  has not handled yet (a logout above all): logged in, it answers Ack; logged
  out, it hands the login back. A login while the previous session is retiring
  (logged out, not yet gone: ``leaving``) waits for ``Retired``; one that comes
  back undelivered (the actor retired or was given up meanwhile) is taken
  again. So a login always takes effect, whatever it races with.
* ``ActorCrashed``: restart intensity as in Erlang — more than
  ``max_restarts`` restarts of one address within ``max_restarts_within_s``
  and the address is given up (its ledger answered as undeliverable, a
  ``node.actor_failed`` notice to managers, an ERROR log), then ended cleanly
  from its state in the journal: a dialog is closed (``by: "engine"``, with
  the reason), an operator logged out (its dialogs requeued), so nothing
  stays wedged and no capacity stays pinned. The queue is never given up.
  A restart caused by the input (a commit the store refused for its content)
  is not counted. Otherwise it asks
  the store to ``Rebuild`` the address: that message queues behind every
  commit the dead actor made, so the state read from the journal includes
  them; on ``Rebuilt`` a new actor starts under the same address and the
  directory redelivers the messages still in its ledger.
* ``Fenced`` (from the store): logins still waiting are refused ``not_primary``.
* Operators restored from the journal at start wait for their console's login
  (``awaiting_console``); one that crashes before it came is restarted with its
  grace timer again (``OperatorActor``, ``restored``).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from frontdesk.engine import commands, dialog_state, events, messages, notices, operator_state
from frontdesk.engine.actor import Context, EngineActor
from frontdesk.engine.audience import deliveries
from frontdesk.engine.dialog_actor import DialogActor
from frontdesk.engine.directory import Envelope
from frontdesk.engine.history import entry
from frontdesk.engine.operator_actor import OperatorActor
from frontdesk.engine.queue_actor import QueueActor

log = logging.getLogger("frontdesk.engine.supervisor")


class Supervisor(EngineActor):
    # a command that fails here (``_open``/``_login`` change nothing before all is built) is
    # answered ``invalid`` and the supervisor goes on
    refuses_poison_without_state = True

    def __init__(
        self,
        address: str,
        ctx: Context,
        next_number: int,
        open_tokens: dict[str, str],
        restored: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(address, ctx)
        # operators restored from the journal at start whose console has not logged in yet:
        # a crashed one restarts with its grace timer (``OperatorActor``, ``restored``)
        self.awaiting_console = set(restored)
        self.next_number = next_number
        self.open_tokens = dict(open_tokens)  # token hash -> id, of the open dialogs
        self.tokens_of = {d: t for t, d in open_tokens.items()}  # dialog id -> token hash
        self.restarts: dict[str, deque[float]] = {}
        self.waiting_logins: dict[str, list[messages.Inbound]] = {}
        self.given_up: dict[str, str] = {}
        self.fenced: str | None = None

    def _crash(self, error: Exception, env: Envelope | None) -> None:
        log.error("the supervisor failed handling %s: %r", env, error, exc_info=True)
        if env is not None:
            self.directory.done(self.address, env.id)

    def handle(self, message: object) -> None:
        if isinstance(message, messages.Inbound):
            if isinstance(message.command, commands.OpenDialog):
                self._open(message, message.command)
            elif isinstance(message.command, commands.OperatorLogin):
                self._login(message, message.command)
            elif isinstance(message.command, commands.OpenMonitored):
                self._open_monitored(message, message.command)
        elif isinstance(message, messages.Undeliverable):
            inner = message.message
            if isinstance(inner, messages.Inbound) and isinstance(inner.command,
                                                                  commands.OperatorLogin):
                self._login(inner, inner.command)  # the actor went away meanwhile: again
        elif isinstance(message, messages.ActorCrashed):
            self._crashed(message)
        elif isinstance(message, messages.Rebuilt):
            self._rebuilt(message)
        elif isinstance(message, messages.Retired):
            self._retired(message.address)
        elif isinstance(message, messages.Fenced):
            self._fenced(message.reason)

    # --- dialogs and operators ---------------------------------------------------------

    def _open(self, inbound: messages.Inbound, cmd: commands.OpenDialog) -> None:
        known = self.open_tokens.get(cmd.token_hash)
        if known is not None:  # the same open again: answer it with the same dialog
            ack = notices.Ack(cmd.ref, known, 1, {"dialog": known})
            self.commit(messages.Decision((), (messages.Reply(inbound.reply_to, ack),)))
            return
        number = self.next_number
        dialog = f"d-{number}"
        e = events.DialogOpened(
            dialog=dialog,
            at=self.now(),
            seq=1,
            number=number,
            token_hash=cmd.token_hash,
            visitor_name=cmd.visitor_name,
            info=dict(cmd.info),
            priority=cmd.priority,
        )
        state = dialog_state.opened(e)
        enqueue = messages.Enqueue(dialog, number, cmd.priority)
        self.next_number += 1  # everything is built: from here on nothing fails on the input
        self.open_tokens[cmd.token_hash] = dialog
        self.tokens_of[dialog] = cmd.token_hash
        DialogActor.launch(state.address, self.ctx, state)
        self.commit(
            messages.Decision(
                (e,),
                (
                    messages.Deliver((), state.history[0]),
                    messages.Tell("queue", enqueue),
                    messages.Reply(inbound.reply_to,
                                   notices.Ack(cmd.ref, dialog, 1, {"dialog": dialog})),
                ),
            )
        )

    def _open_monitored(self, inbound: messages.Inbound, cmd: commands.OpenMonitored) -> None:
        """A monitored dialog: opened, flagged (``dialog.monitored``), assigned to its
        operator straight away (never queued), then the operator's first message, whose
        answer (the Ack with the dialog id, or a refusal) is the command's."""
        if not cmd.text.strip() or not cmd.visitor_name.strip() or not cmd.email.strip():
            why = "cannot open a monitored dialog: expected a name, an e-mail address and a text"
            rej = notices.Rejected(cmd.ref, "invalid", why)
            self.commit(messages.Decision((), (messages.Reply(inbound.reply_to, rej),)))
            return
        number = self.next_number
        dialog = f"d-{number}"
        now = self.now()
        e = events.DialogOpened(dialog=dialog, at=now, seq=1, number=number,
                              token_hash=cmd.token_hash, visitor_name=cmd.visitor_name,
                              info={"email": cmd.email}, monitored_by=cmd.operator_id)
        flag = events.MonitoredLink(dialog=dialog, at=now, by=cmd.operator_id,
                                  link_hash=cmd.link_hash, expires_at=now + cmd.link_expiry_s)
        state = dialog_state.apply(dialog_state.opened(e), flag)
        say = commands.OperatorSay(cmd.operator_id, dialog, cmd.text, cmd.format, cmd.html,
                                   cmd.plain,
                            ref=cmd.ref)
        self.next_number += 1
        self.open_tokens[cmd.token_hash] = dialog
        self.tokens_of[dialog] = cmd.token_hash
        DialogActor.launch(state.address, self.ctx, state)
        self.commit(
            messages.Decision(
                (e, flag),
                (
                    messages.Deliver((), state.history[0]),
                    messages.Tell(state.address,
                                  messages.Assign(dialog, cmd.operator_id, cmd.operator_name)),
                    messages.Tell(state.address, messages.Inbound(say, inbound.reply_to)),
                ),
            )
        )

    def _login(self, inbound: messages.Inbound, cmd: commands.OperatorLogin) -> None:
        address = f"operator:{cmd.operator_id}"
        self.awaiting_console.discard(address)
        if self.fenced is not None:
            why = f"cannot log in {cmd.operator_id}: {self.fenced}"
            rej = notices.Rejected(cmd.ref, "not_primary", why)
            self.commit(messages.Decision((), (messages.Reply(inbound.reply_to, rej),)))
            return
        state_now = self.directory.state(address)
        if state_now == "leaving":
            self.waiting_logins.setdefault(address, []).append(inbound)
            return
        if state_now in ("live", "restarting"):
            self.directory.send(address, inbound, self.address)
            return
        if cmd.capacity is not None and (not isinstance(cmd.capacity, int) or cmd.capacity < 0):
            rej = notices.Rejected(cmd.ref, "invalid",
                                   f"cannot log in {cmd.operator_id}: capacity < 0")
            self.commit(messages.Decision((), (messages.Reply(inbound.reply_to, rej),)))
            return
        e = events.OperatorLoggedIn(
            operator=cmd.operator_id, at=self.now(), name=cmd.name, capacity=cmd.capacity,
            status=self.ctx.settings.initial_operator_status,
        )
        state = operator_state.logged_in(e, self.ctx.settings.default_capacity)
        self.given_up.pop(address, None)
        ack = messages.Reply(inbound.reply_to, notices.Ack(cmd.ref))
        self.commit(
            messages.Decision(
                (e,),
                    (messages.Deliver((),
                        notices.StatusChanged(state.id, state.status.value, e.at)), ack)
            )
        )
        OperatorActor.launch(address, self.ctx, state)

    def _retired(self, address: str) -> None:
        self.awaiting_console.discard(address)
        token = self.tokens_of.pop(address.removeprefix("dialog:"), None)
        if token is not None:
            self.open_tokens.pop(token, None)
        self._resume_logins(address)

    def _resume_logins(self, address: str) -> None:
        for inbound in self.waiting_logins.pop(address, []):
            assert isinstance(inbound.command, commands.OperatorLogin)
            self._login(inbound, inbound.command)

    def _fenced(self, reason: str) -> None:
        self.fenced = reason
        for address in list(self.waiting_logins):
            self._resume_logins(address)

    # --- supervision -----------------------------------------------------------------------

    def _crashed(self, crash: messages.ActorCrashed) -> None:
        address = crash.address
        if not crash.counted:  # its input's fault (a refused commit): restart, uncounted
            self.directory.send("store", messages.Rebuild(address), self.address)
            return
        now = self.now()
        window = self.ctx.settings.max_restarts_within_s
        times = self.restarts.setdefault(address, deque())
        while times and now - times[0] > window:
            times.popleft()
        if len(times) >= self.ctx.settings.max_restarts and address != "queue":
            # (the queue is never given up: without it nothing is routed; its state is
            # rebuilt from the projection, so a restart always starts it afresh)
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
            report = notices.ActorFailed(address, len(times), crash.error)
            self.commit(messages.Decision((), (messages.Deliver((), report),)))
            # its state from the journal, to end it cleanly (``_end_given_up``)
            self.directory.send("store", messages.Rebuild(address), self.address)
            return
        times.append(now)
        self.directory.send("store", messages.Rebuild(address), self.address)

    def _end_given_up(self, address: str, state: Any) -> None:
        """An address given up: its dialog is closed, its operator logged out (its dialogs
        requeued), each with the reason, so no dialog stays wedged and no capacity stays
        pinned; then the address is free (commands get ``closed`` / ``unknown_operator``,
        and the operator may log in again)."""
        why = self.given_up[address]
        now = self.now()
        if isinstance(state,
                      dialog_state.DialogState) and state.phase is not dialog_state.Phase.CLOSED:
            reason = f"the dialog failed and was closed ({why})"
            e, fx = dialog_state.close_effects(state, "engine", reason, now)
            note = entry(e)
            assert note is not None
            watchers = self.directory.audiences(address)
            fx = tuple(f for f in fx if not (isinstance(f, messages.Tell) and f.address == address))
            self.commit(messages.Decision((e,), (*deliveries(watchers, note, True), *fx)))
        elif isinstance(state, operator_state.OperatorState) and state.logged_in:
            logout = messages.Inbound(commands.OperatorLogout(state.id), None)
            d = operator_state.decide(state, logout, now, self.ctx.settings)
            fx = tuple(f for f in d.effects
                       if not (isinstance(f, messages.Tell) and f.address == address))
            self.commit(messages.Decision(d.events, fx))
        self.given_up.pop(address, None)
        self.directory.retire(address, None)
        self._retired(address)

    def _rebuilt(self, rebuilt: messages.Rebuilt) -> None:
        address, state = rebuilt.address, rebuilt.state
        if address in self.given_up:
            if self.directory.state(address) == "failed":
                self._end_given_up(address, state)
            return
        if state is None:  # closed or logged out meanwhile: nobody to restart
            self.directory.retire(address, None)
            self._retired(address)
            return
        if isinstance(state, dialog_state.DialogState):
            DialogActor.launch(address, self.ctx, state)
        elif isinstance(state, operator_state.OperatorState):
            OperatorActor.launch(address, self.ctx, state, address in self.awaiting_console)
        else:
            QueueActor.launch(address, self.ctx, state)
        self._resume_logins(address)  # a logout that did not commit: logged in after all
