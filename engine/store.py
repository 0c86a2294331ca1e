"""The store actor: the one writer of the journal, and the one that performs effects.

Actors hand it ``Commit(events, effects)``. It takes what is already waiting
in its inbox (up to ``BATCH`` commits: group commit), appends all their
events through the ``Journal`` port in one call (one transaction), folds
the records into the inspection projection, and only then performs each
commit's effects, in order: tell an actor, deliver a notice to subscribers
(and to the managers' ``watch_all``), answer a command. So nothing is told or
acknowledged before it is durable, and one actor's effects keep their order.

On a ``JournalError`` the effects of the failed commits are not performed,
their commands get Rejected ``unavailable``, and each origin actor is told
``CommitFailed`` (it crashes and is restarted from the journal, so its memory
is no longer ahead of it). ``StaleEpoch`` fences the node: every later commit
with events is refused. A subscriber that raises is dropped and logged; it
never stops the store.
"""

from __future__ import annotations

import logging
import queue
from collections import deque
from typing import Any

from engine import dialog_state as ds
from engine import events as ev
from engine import messages as m
from engine import notices as n
from engine import operator_state as os_
from engine.actor import CommitFailed, Context, EngineActor
from engine.directory import MANAGERS, Envelope
from engine.errors import JournalError, StaleEpoch
from engine.journal import Journal, Record
from engine.projection import Projection

log = logging.getLogger("frontdesk.engine.store")

BATCH = 256


class StoreActor(EngineActor):
    def __init__(
        self, address: str, ctx: Context, journal: Journal, projection: Projection, epoch: int
    ) -> None:
        super().__init__(address, ctx)
        self.journal = journal
        self.projection = projection
        self.epoch = epoch
        self.fenced = False
        self.commits = 0
        self.batches = 0
        self._dropped: deque[n.Subscriber] = deque(maxlen=1000)

    def on_receive(self, message: Any) -> Any:
        if not isinstance(message, Envelope) or not isinstance(message.message, m.Commit):
            return super().on_receive(message)
        batch = [message]
        leftover: Any = None
        while len(batch) < BATCH:
            try:
                nxt = self.actor_inbox.get_nowait()  # type: ignore[attr-defined]
            except queue.Empty:
                break
            if isinstance(nxt.message, Envelope) and isinstance(nxt.message.message, m.Commit):
                batch.append(nxt.message)
            else:
                leftover = nxt
                break
        try:
            self._commit_batch(batch)
        except Exception:
            log.exception("the store failed on a batch of %d commits", len(batch))
        for env in batch:
            self.directory.done(self.address, env.id)
        if leftover is not None:
            response = self._handle_receive(leftover.message)
            if leftover.reply_to is not None:
                leftover.reply_to.set(response)
        return None

    def handle(self, message: Any) -> None:
        if isinstance(message, m.Rebuild):
            self.directory.send(
                "supervisor", m.Rebuilt(message.address, self._rebuild(message.address))
            )
        elif isinstance(message, m.Barrier):
            message.done()
        elif isinstance(message, m.Undeliverable):
            pass  # a CommitFailed to an actor that is gone: nothing to do

    def _crash(self, error: Exception, env: Envelope | None) -> None:
        log.error("the store failed handling %s: %r", env, error, exc_info=True)
        if env is not None:
            self.directory.done(self.address, env.id)

    # --- commits ---------------------------------------------------------------------

    def _commit_batch(self, batch: list[Envelope]) -> None:
        commits: list[m.Commit] = [e.message for e in batch]
        events = [e for c in commits for e in c.events]
        failure: str | None = None
        if events:
            if self.fenced:
                failure = "this node is fenced: a newer epoch has begun"
            else:
                try:
                    records = self.journal.append([ev.to_new_event(e) for e in events], self.epoch)
                    self.projection.apply(records)
                except StaleEpoch as e:
                    self.fenced = True
                    failure = f"this node is fenced: {e}"
                    self.projection.node["fenced"] = True
                    log.error("journal refused epoch %d: %s; no more writes", self.epoch, e)
                except JournalError as e:
                    failure = f"the journal could not write: {e}"
                    log.error("journal append failed: %s", e)
                except Exception as e:  # an adapter bug: treat it as a failed write
                    failure = f"the journal could not write: {e!r}"
                    log.exception("journal append raised an unexpected error")
        self.batches += 1
        self.commits += len(commits)
        for c in commits:
            if failure is not None and c.events:
                self._fail(c, failure)
            else:
                for effect in c.effects:
                    self._perform(c.origin, effect)

    def _fail(self, c: m.Commit, why: str) -> None:
        for reply_to, ref in c.replies:
            self._call(reply_to, n.Rejected(ref, "unavailable", why))
        if c.origin not in ("supervisor", "store"):
            self.directory.send(c.origin, CommitFailed(why), self.address)

    def _perform(self, origin: str, effect: m.Effect) -> None:
        if isinstance(effect, m.Tell):
            self.directory.send(effect.address, effect.message, origin)
        elif isinstance(effect, m.Reply):
            self._call(effect.reply_to, effect.notice)
        elif isinstance(effect, m.Deliver):
            for sub in effect.subscribers:
                self._call(sub, effect.notice)
            if effect.managers:
                for sub in self.directory.watchers(MANAGERS):
                    self._call(sub, effect.notice)
        elif isinstance(effect, m.Publish):  # not resolved by the actor: managers only
            for sub in self.directory.watchers(MANAGERS):
                self._call(sub, effect.notice)

    def _call(self, subscriber: n.Subscriber | None, notice: n.Notice) -> None:
        if subscriber is None or subscriber in self._dropped:
            return
        try:
            subscriber(notice)
        except Exception:
            log.warning("dropping a subscriber that raised on %s", notice.TYPE, exc_info=True)
            self._dropped.append(subscriber)
            self.directory.drop_subscriber(subscriber)

    # --- rebuilding a crashed actor ------------------------------------------------------

    def _rebuild(self, address: str) -> Any:
        """The state of ``address`` from the journal (None if it no longer exists)."""
        kind, _, ident = address.partition(":")
        if kind == "dialog":
            return self._rebuild_dialog(ident)
        if kind == "operator":
            op = self.projection.operator(ident)
            if op is None:
                return None
            records = list(self.journal.read(0, address))
            state: os_.OperatorState | None = None
            for r in records:
                e = ev.from_record(r)
                if isinstance(e, ev.OperatorLoggedInEv):
                    state = os_.logged_in(e, self.ctx.settings.default_capacity)
                elif state is not None:
                    state = os_.apply(state, e)
            if state is None or not state.logged_in:
                return None
            return os_.OperatorState(
                id=state.id,
                name=state.name,
                capacity=state.capacity,
                status=state.status,
                status_since=state.status_since,
                held=dict(op.held),
                last_assigned_at=op.last_assigned_at,
            )
        if kind == "queue":
            return self.projection.queue_state()
        return None

    def _rebuild_dialog(self, dialog_id: str) -> ds.DialogState | None:
        records: list[Record] = list(self.journal.read(0, f"dialog:{dialog_id}"))
        state: ds.DialogState | None = None
        for r in records:
            e = ev.from_record(r)
            if isinstance(e, ev.DialogOpenedEv):
                state = ds.opened(e)
            elif state is not None:
                state = ds.apply(state, e)
        if state is None or state.phase is ds.Phase.CLOSED:
            return None
        return state
