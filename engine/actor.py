"""The shell every engine actor shares: delivery, crash reporting, timers, commits.

pykka gives no death-watch, does not call ``on_failure`` when ``on_start``
raises, and drops a dead actor's inbox. So this base class:

* registers the actor at its address from ``on_start`` (the directory then
  redelivers whatever waited for it), and marks each envelope ``done`` only
  once handled;
* catches an exception in ``on_start`` or in a handler, logs it, suspends the
  address (its ledger is kept for the restarted actor), bounces the message
  that crashed it, tells the supervisor ``ActorCrashed`` and stops at once,
  ignoring what is left in its pykka inbox;
* sends every state change to the store as one ``Commit`` (the actor never
  tells anyone directly: the store performs the effects once the events are
  durable), expanding ``Publish`` into a delivery to the current watchers,
  each audience its own form (``engine/audience.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pykka

from frontdesk.engine import commands, journal, messages, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.audience import deliveries
from frontdesk.engine.clock import Clock, TimerHandle
from frontdesk.engine.directory import Directory, Envelope
from frontdesk.engine.dispatch import Dispatcher, Inbox, runnable
from frontdesk.engine.effects import CommitTrack, Effects
from frontdesk.engine.errors import EngineError
from frontdesk.engine.journal_writer import JournalWriter
from frontdesk.engine.notices import Audience, Subscriber
from frontdesk.engine.settings import EngineSettings

log = logging.getLogger("frontdesk.engine")


class InjectedCrash(EngineError):  # noqa: N818 (a crash, not an error of the code)
    """Raised on purpose by the harness's ``inject_crash``."""


class CommitFailed(EngineError):  # noqa: N818
    """The journal refused this actor's events: its memory is ahead of the journal.

    ``counted`` is False when the events were refused for their own content (a
    command's bad text), so the restart is not counted against the intensity."""

    def __init__(self, why: str, counted: bool = True) -> None:
        super().__init__(why)
        self.counted = counted


class Faults(Protocol):
    """Whether the next message ``address`` handles (or its ``on_start``) is to raise
    ``InjectedCrash``: the harness's crash arms (``engine/testing/aids.py``)."""

    def take(self, address: str, in_start: bool) -> bool: ...


class NoFaults:
    def take(self, address: str, in_start: bool) -> bool:
        return False


@dataclass
class Context:
    directory: Directory
    settings: EngineSettings
    clock: Clock
    refs: list[Any] = field(default_factory=list)  # every actor started, for stop()
    # one thread runs every actor but the store, which blocks on the journal
    dispatcher: Dispatcher = field(default_factory=lambda: Dispatcher("frontdesk-engine"))
    store_dispatcher: Dispatcher = field(default_factory=lambda: Dispatcher("frontdesk-store"))
    effects: Effects = field(init=False)
    # hosted (``Engine.host``): the store's appends, on a thread of their own
    journal_writer: JournalWriter = field(init=False)
    fenced: bool = False  # set by the store: from then on only the store performs effects
    faults: Faults = field(default_factory=NoFaults)

    def __post_init__(self) -> None:
        self.effects = Effects(self.directory)
        self.journal_writer = JournalWriter("frontdesk-journal", self.store_dispatcher.run_on_host)


class EngineActor(pykka.Actor):
    """An engine actor, run as ``ctx.settings.dispatcher`` says (``launch``): by the
    shared dispatcher, or as a plain pykka ``ThreadingActor``."""

    actor_inbox: Inbox

    def __init__(self, address: str, ctx: Context) -> None:
        super().__init__()
        self.address = address
        self.ctx = ctx
        self.directory = ctx.directory
        self.dead = False
        self._timers: dict[tuple[str, str], tuple[int, TimerHandle]] = {}
        self._generation = 0
        self._current: Envelope | None = None
        self._track = CommitTrack()

    @classmethod
    def launch(cls, address: str, ctx: Context, *args: Any) -> Any:
        """Start an actor at ``address``; messages sent meanwhile wait in its ledger."""
        kind = runnable(cls, ctx.settings.dispatcher)
        ctx.directory.reserve(address)
        ref = kind.start(address, ctx, *args)
        ctx.refs.append(ref)
        return ref

    def dispatcher_for_actor(self) -> Dispatcher:
        """The shared dispatcher that runs it (unused with ``dispatcher = "threads"``)."""
        return self.ctx.dispatcher

    # --- pykka hooks -------------------------------------------------------------------

    def on_start(self) -> None:
        try:
            self.directory.register(self.address, self.actor_ref)
            if self.ctx.faults.take(self.address, in_start=True):
                raise InjectedCrash(f"crash injected into {self.address} at start")
            self.started()
        except Exception as e:
            self._crash(e, None)
        finally:
            self.directory.started()

    def on_receive(self, message: Any) -> Any:
        if self.dead or not isinstance(message, Envelope):
            return None
        self._current = message
        before = (getattr(self, "state", None), self._track.sent)
        try:
            if isinstance(message.message, CommitFailed):
                raise message.message
            if self.ctx.faults.take(self.address, in_start=False):
                raise InjectedCrash(f"crash injected into {self.address}")
            self.handle(message.message)
        except Exception as e:
            if not self._refuse_poison(message.message, e, before):
                self._crash(e, message)
                return None
        finally:
            self._current = None
        self.directory.done(self.address, message.id)
        return None

    def _refuse_poison(self, message: Any, error: Exception, before: tuple[Any, int]) -> bool:
        """A command that failed inside the engine, before it changed anything (the state
        is the same object, nothing was sent to the store): answer it ``invalid`` with the
        reason and go on. The actor is not given up for a client's bad input; a failure
        after the state moved (its memory may be ahead of the journal) still crashes it,
        and it is restarted from the journal."""
        if not isinstance(message, messages.Inbound) or isinstance(error, InjectedCrash):
            return False
        if getattr(self, "state", None) is not before[0] or self._track.sent != before[1]:
            return False
        if before[0] is None and not self.refuses_poison_without_state:
            return False
        cmd = message.command
        log.warning("%s refused %s: it failed: %r", self.address, type(cmd).__name__, error)
        why = f"cannot {commands.action(cmd)}: the engine could not handle it ({error!r})"
        dialog = getattr(cmd, "dialog_id", None)
        refusal = notices.Rejected(cmd.ref, "invalid", why, dialog)
        # as any answer of this actor: behind what it still has at the store
        self.commit(messages.Decision((), (messages.Reply(message.reply_to, refusal),)))
        return True

    # an actor without a ``state`` (the supervisor) says so itself: it keeps its fields
    # consistent when a command fails
    refuses_poison_without_state = False

    def on_stop(self) -> None:
        self._cancel_timers()

    # --- for subclasses -----------------------------------------------------------------

    def started(self) -> None:
        """Run once the actor is registered (and after each restart)."""

    def handle(self, message: object) -> None:
        raise NotImplementedError

    def now(self) -> float:
        return self.ctx.clock.now()

    def commit(self, decision: messages.Decision) -> None:
        events = tuple(e for e in decision.events if e.JOURNALED)
        effects = self.resolve(decision.effects)
        if not events and not effects:
            return
        if not events and self._track.idle and not self.ctx.fenced:
            # nothing to make durable, nothing of ours waiting to be: no need to wait
            for effect in effects:
                self.ctx.effects.perform(self.address, effect)
            return
        replies: tuple[tuple[Subscriber | None, str | None], ...] = ()
        current = self._current.message if self._current is not None else None
        if isinstance(current, messages.Inbound):
            replies = ((current.reply_to, current.command.ref),)
        self._track.sent += 1
        made = tuple(journal.made(engine_events.to_new_event(e)) for e in events)
        commit = messages.Commit(self.address, events, effects, replies, self._track, made)
        self.directory.send("store", commit, self.address)

    def resolve(self, effects: Sequence[messages.Effect]) -> tuple[messages.Effect, ...]:
        out: list[messages.Effect] = []
        watchers: tuple[tuple[Subscriber, Audience], ...] | None = None
        for f in effects:
            if isinstance(f, messages.Publish):
                if watchers is None:
                    watchers = self.directory.audiences(self.address)
                out.extend(deliveries(watchers, f.notice, f.managers))
            else:
                out.append(f)
        return tuple(out)

    def retire(self) -> None:
        """Leave the address (bouncing what is left for it) and stop."""
        keep = self._current.id if self._current is not None else None
        self.directory.retire(self.address, self.actor_ref, keep)
        self._die()
        self.directory.send("supervisor", messages.Retired(self.address))

    # --- timers -----------------------------------------------------------------------

    def arm(self, kind: str, delay: float, key: str = "") -> None:
        """(Re)arm the timer ``kind``/``key``: a ``Tick`` comes back after ``delay``."""
        self.disarm(kind, key)
        self._generation += 1
        gen = self._generation
        address, directory = self.address, self.directory

        def fire() -> None:
            directory.send(address, messages.Tick(kind, gen, key))

        self._timers[(kind, key)] = (gen, self.ctx.clock.call_later(delay, fire))

    def disarm(self, kind: str, key: str = "") -> None:
        old = self._timers.pop((kind, key), None)
        if old is not None:
            old[1].cancel()

    def is_armed(self, kind: str, key: str = "") -> bool:
        """Whether the timer ``kind``/``key`` is armed and its ``Tick`` not yet handled."""
        return (kind, key) in self._timers

    def tick_is_current(self, tick: messages.Tick) -> bool:
        """Whether ``tick`` comes from the latest arming; consumes it if so."""
        armed = self._timers.get((tick.kind, tick.key))
        if armed is None or armed[0] != tick.generation:
            return False
        del self._timers[(tick.kind, tick.key)]
        return True

    def _cancel_timers(self) -> None:
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    # --- death --------------------------------------------------------------------------

    def _crash(self, error: Exception, env: Envelope | None) -> None:
        injected = isinstance(error, InjectedCrash)
        counted = not isinstance(error, CommitFailed) or error.counted
        if not counted:  # the input's fault, already logged by the store: no fault of ours
            log.warning("%s is rebuilt from the journal: %s", self.address, error)
        else:
            self._log_crash(error, env, injected)
        report = messages.ActorCrashed(self.address, repr(error), injected, counted)
        self.directory.crashed(
            self.address, self.actor_ref, env.id if env is not None else None, report
        )
        self._die()

    def _log_crash(self, error: Exception, env: Envelope | None, injected: bool) -> None:
        log.error(
            "%s crashed handling %s: %r",
            self.address,
            type(env.message).__name__ if env is not None else "on_start",
            error,
            exc_info=not injected,
            extra={"injected": injected},
        )

    def _die(self) -> None:
        self.dead = True
        self._cancel_timers()
        self.actor_stopped.set()
        pykka.ActorRegistry.unregister(self.actor_ref)
