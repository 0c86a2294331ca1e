"""The store actor: the one writer of the journal, and the one that performs effects.

Actors hand it ``Commit(events, effects)``. It takes what is already waiting
in its inbox (up to ``BATCH`` commits: group commit), appends all their
events through the ``Journal`` port in one call (one transaction), folds
the records into the inspection projection, and only then performs each
commit's effects, in order: tell an actor, deliver a notice to subscribers
(and to the managers' ``watch_all``), answer a command. So nothing is told or
acknowledged before it is durable, and one actor's effects keep their order.

Where it runs. On its own dispatcher thread (``frontdesk-store``), the append blocking
it; or, hosted (``Engine.host``: a served node's engine on its trio loop), on the loop
with every other actor, and only the append on the journal's thread
(``engine/journal_writer.py``). Hosted, the store holds its mailbox while the append
is on that thread (``Mailbox.hold``) and finishes the batch on the loop when it is
back, then takes the next: one write at a time, the commits that arrived meanwhile
forming the next batch, and anything else (a rebuild's read, a closed dialog's
watch, a barrier) behind every commit before it, effects included. The loop never
waits for the disk, nor for a backup's acknowledgement in ``sync`` replication.

On a ``JournalError`` the effects of the failed commits are not performed,
their commands get Rejected ``unavailable``, and each origin actor is told
``CommitFailed`` (it crashes and is restarted from the journal, so its memory
is no longer ahead of it). That restart is not counted against the actor's
restart intensity: the journal failed, not the actor (a database outage would
otherwise give every busy dialog up). A ``Rebuild`` whose read of the journal
fails is tried again after ``REBUILD_RETRY_S`` (on the engine's clock) or at
the next append that succeeds, whichever comes first; the rebuilt actor's
ledger keeps what was sent to it meanwhile. ``JournalUnavailable`` (refused
during an outage without trying the database) is not logged here: the storage
adapter logs the outage once.

A commit whose own events the journal could never store (text with a lone
surrogate: ``engine/encodable.py``) is checked before the append and refused
alone, ``invalid`` with the reason, not ``unavailable`` (a retry would fail for
ever); the rest of its batch is appended. Its origin is restarted from the
journal as above, but that restart is not counted against its restart
intensity (the input's fault, not the actor's), and the origin's later
commits are refused ``unavailable`` until it is rebuilt.

``StaleEpoch`` fences the node, for good (a node that gets its lease back
starts a new engine): the store logs it once at WARNING, tells the supervisor
(``Fenced``) and from then on performs no effect at all. Every command whose
answer is pending in a commit — the one being handled, or one carried in a
message (a transfer, a forwarded login) — is answered Rejected ``not_primary``
naming the epoch; everything else is dropped, so nothing cascades and no
actor crashes (their memory may run ahead of the journal: it never reaches
it). ``Engine.submit`` refuses new commands the same way.

A watch of a dialog that no actor holds (``WatchClosed``) is answered here:
a closed dialog's history is read from the journal (its stream, folded with
the replay code; the projection keeps no histories) and replayed to the
watcher if it may see it; nothing follows.

A subscriber that raises is dropped and logged; it never stops the store.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from frontdesk.engine import (
    close_survey,
    dialog_state,
    dialog_watch,
    encodable,
    messages,
    notices,
    operator_state,
)
from frontdesk.engine import events as engine_events
from frontdesk.engine.actor import CommitFailed, Context, EngineActor
from frontdesk.engine.directory import Envelope
from frontdesk.engine.dispatch import Dispatcher, Mailbox
from frontdesk.engine.errors import JournalError, JournalUnavailable, StaleEpoch
from frontdesk.engine.journal import Journal, NewEvent, Record
from frontdesk.engine.journal_writer import Job
from frontdesk.engine.projection import Projection

log = logging.getLogger("frontdesk.engine.store")

BATCH = 256
REBUILD_RETRY_S = 0.5  # a rebuild whose journal read failed is tried again after this
REFUSED_KEPT = 10_000


@dataclass
class _Append:
    """A batch of commits on its way through the journal: made on the loop (``batch``,
    ``refused``, ``events``, ``new_events``), written (``records`` or ``error``), then
    finished (``_finish``)."""

    batch: list[Envelope]  # of Commit
    refused: dict[int, tuple[str, str]]  # index -> (code, why): refused for their content
    events: list[engine_events.Event]  # the ones to append, in order
    new_events: list[NewEvent]  # what they are made into
    records: list[Record] = field(default_factory=list)  # what the journal made of them
    error: Exception | None = None  # why the append failed


class StoreActor(EngineActor):
    def __init__(
        self, address: str, ctx: Context, journal: Journal, projection: Projection, epoch: int
    ) -> None:
        super().__init__(address, ctx)
        self.journal = journal
        self.projection = projection
        self.epoch = epoch
        self.fenced: str | None = None  # why, once the journal refused our epoch
        self.commits = 0
        self.batches = 0
        # fenced: the commands already refused (by subscriber identity and ref; the
        # subscriber is kept so its id is not reused), so a command carried again
        # (a transfer's timeout after its refusal) is not answered twice
        self._refused: dict[tuple[int, str | None], notices.Subscriber] = {}
        # origins a commit of which was refused for its content, until they are rebuilt
        self._poisoned: set[str] = set()

    def dispatcher_for_actor(self) -> Dispatcher:
        return self.ctx.store_dispatcher  # its own thread: a commit blocks on the journal

    def on_receive(self, message: Any) -> Any:
        if not isinstance(message, Envelope) or not isinstance(message.message, messages.Commit):
            return super().on_receive(message)
        batch = [message]
        leftover: Any = None
        inbox = self.actor_inbox
        while len(batch) < BATCH:
            try:
                nxt = inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(nxt.message, Envelope) and isinstance(nxt.message.message,
                                                                messages.Commit):
                batch.append(nxt.message)
            elif isinstance(inbox, Mailbox):
                inbox.put_back(nxt)  # the next turn takes it, behind this batch
                break
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

    def handle(self, message: object) -> None:
        if isinstance(message, messages.Rebuild):
            self._poisoned.discard(message.address)  # behind all its commits: read it back
            self._try_rebuild(message.address)
        elif isinstance(message, messages.Tick):
            if message.kind == "rebuild" and self.tick_is_current(message):
                self._try_rebuild(message.key)
        elif isinstance(message, messages.WatchClosed):
            self._watch_closed(message)
        elif isinstance(message, messages.AnswerClosedSurvey):
            self._answer_closed(message)
        elif isinstance(message, messages.Barrier):
            message.done()
        elif isinstance(message, messages.Undeliverable):
            pass  # a CommitFailed to an actor that is gone: nothing to do

    def _crash(self, error: Exception, env: Envelope | None) -> None:
        log.error("the store failed handling %s: %r", env, error, exc_info=True)
        if env is not None:
            self.directory.done(self.address, env.id)

    def _try_rebuild(self, address: str) -> None:
        """Rebuilt to the supervisor; if the journal cannot be read now, try again at the
        next successful append or after ``REBUILD_RETRY_S``, whichever comes first."""
        try:
            state = self._rebuild(address)
        except JournalError as e:
            log.warning("cannot rebuild %s now (%s); trying again", address, e)
            self.arm("rebuild", REBUILD_RETRY_S, address)
            return
        self.disarm("rebuild", address)
        self.directory.send("supervisor", messages.Rebuilt(address, state))

    def _retry_rebuilds(self) -> None:
        for kind, address in [k for k in self._timers if k[0] == "rebuild"]:
            self.disarm(kind, address)
            self._try_rebuild(address)

    # --- commits ---------------------------------------------------------------------

    def _commit_batch(self, batch: list[Envelope]) -> None:
        """Append the batch's events in one call, then finish it (``_finish``).

        Hosted, the append runs on the journal's thread (``JournalWriter``) and this
        mailbox is held until its finish has run on the loop: what arrives meanwhile waits
        in order (the commits then form the next batch; a read of the journal comes
        behind every commit before it). Otherwise the append runs here, blocking."""
        commits: list[messages.Commit] = [e.message for e in batch]
        job = _Append(batch, {}, [], [])
        if not self.fenced:
            for i, c in enumerate(commits):
                made = list(c.made) if len(c.made) == len(c.events) else [
                    engine_events.to_new_event(e) for e in c.events]  # checked, then appended
                refusal = self._check(c, made)
                if refusal is not None:
                    job.refused[i] = refusal
                    continue
                job.new_events += made
                job.events += c.events
        self.batches += 1
        self.commits += len(commits)
        if not job.events or self.fenced:
            self._finish(job)
        elif self.ctx.store_dispatcher.hosted and isinstance(self.actor_inbox, Mailbox):
            self.actor_inbox.hold()
            write = Job(lambda: self._append(job), lambda: self._finish(job, held=True))
            self.ctx.journal_writer.submit(write)
        else:
            self._append(job)
            self._finish(job)

    def _append(self, job: _Append) -> None:
        """The journal's write (on the journal's thread when hosted: nothing else here)."""
        try:
            job.records = self.journal.append(job.new_events, self.epoch)
        except Exception as e:
            job.error = e

    def _finish(self, job: _Append, held: bool = False) -> None:
        """What follows an append: fencing or the failure, the projection, then each
        commit's effects in order (or its refusal or failure); never raises. ``held``:
        the mailbox was held for the write, and is released."""
        try:
            self._finish_batch(job)
        except Exception:
            log.exception("the store failed finishing a batch of %d commits", len(job.batch))
        finally:
            for env in job.batch:
                self.directory.done(self.address, env.id)
            if held and isinstance(self.actor_inbox, Mailbox):
                self.actor_inbox.release()

    def _finish_batch(self, job: _Append) -> None:
        failure = self._failure(job.error)
        if job.records and failure is None:
            try:
                self.projection.apply(job.records, job.events)
            except Exception as e:  # as a failed write: the actors are rebuilt from it
                failure = f"the journal could not write: {e!r}"
                log.exception("the projection failed on %d appended records", len(job.records))
        for i, env in enumerate(job.batch):
            c: messages.Commit = env.message
            if self.fenced:
                self._refuse(c, self.fenced)
            elif i in job.refused:
                code, why = job.refused[i]
                self._fail(c, why, code)
            elif failure is not None and c.events:
                self._fail(c, failure)
            else:
                for effect in c.effects:
                    self._perform(c.origin, effect)
            if c.track is not None:
                c.track.performed += 1
        if job.events and failure is None and not self.fenced:
            self._retry_rebuilds()  # the journal is back for those waiting to be read

    def _failure(self, error: Exception | None) -> str | None:
        """Why the append failed, logged as its kind is (None: it did not)."""
        if error is None:
            return None
        if isinstance(error, StaleEpoch):
            self._fence(error)
            return None  # (fenced: every commit is refused instead)
        if isinstance(error, JournalUnavailable):  # refused during an outage: logged there
            return f"the journal could not write: {error}"
        if isinstance(error, JournalError):
            log.error("journal append failed: %s", error)
            return f"the journal could not write: {error}"
        log.error("journal append raised an unexpected error", exc_info=error)  # a bug
        return f"the journal could not write: {error!r}"

    def _fence(self, error: StaleEpoch) -> None:
        self.fenced = (
            f"this node is fenced: it writes under epoch {self.epoch}, which is over ({error})"
        )
        self.projection.fence(self.fenced)
        self.ctx.fenced = True  # actors stop performing effects themselves
        log.warning(
            "%s: the journal refused epoch %d (%s); no more writes, every command is "
            "refused with not_primary",
            self.ctx.settings.node_name,
            self.epoch,
            error,
        )
        self.directory.send("supervisor", messages.Fenced(self.fenced), self.address)

    def _refuse(self, c: messages.Commit, why: str) -> None:
        """Fenced: perform nothing of ``c``; answer every command it would answer, once."""

        def answer(reply_to: notices.Subscriber | None, ref: str | None,
                   dialog: str | None) -> None:
            key = (id(reply_to), ref)
            if reply_to is None or key in self._refused:
                return
            self._refused[key] = reply_to
            if len(self._refused) > REFUSED_KEPT:
                del self._refused[next(iter(self._refused))]
            self._call(reply_to, notices.Rejected(ref, "not_primary", why, dialog))

        for f in c.effects:
            if isinstance(f, messages.Reply) and isinstance(f.notice,
                                                            notices.Ack | notices.Rejected):
                answer(f.reply_to, f.notice.ref, f.notice.dialog)
            elif isinstance(f, messages.Tell):
                msg = f.message
                if isinstance(msg, messages.Inbound):
                    answer(msg.reply_to, msg.command.ref, getattr(msg.command, "dialog_id", None))
                elif isinstance(msg,
                    messages.TransferOffer | messages.CompleteTransfer | messages.AbortTransfer):
                    answer(msg.reply_to, msg.ref, msg.dialog)
        for reply_to, ref in c.replies:
            answer(reply_to, ref, None)

    def _check(self, c: messages.Commit, made: Sequence[NewEvent]) -> tuple[str, str] | None:
        """Why ``c`` cannot be appended for a reason of its own (not the journal's), if so.

        Its events hold text the journal cannot encode (a lone surrogate): refused
        ``invalid``, alone — the rest of the batch is appended. A commit of an origin
        whose earlier commit was refused is refused ``unavailable`` until that origin is
        rebuilt from the journal (its memory ran ahead of it): a retry then succeeds.
        """
        if c.origin in self._poisoned:
            return ("unavailable", f"{c.origin} is being restored from the journal; retry")
        for e, new in zip(c.events, made, strict=True):
            bad = encodable.problem(new.data, "the data")
            if bad is not None:
                if c.origin not in ("supervisor", "store"):  # (those are not rebuilt)
                    self._poisoned.add(c.origin)
                log.warning("refused a commit of %s: event %s: %s", c.origin, e.TYPE, bad)
                return ("invalid", f"cannot store event {e.TYPE} of {c.origin}: {bad}")
        return None

    def _fail(self, c: messages.Commit, why: str, code: str = "unavailable") -> None:
        for reply_to, ref in c.replies:
            self._call(reply_to, notices.Rejected(ref, code, why))
        if c.origin == "supervisor":
            self._undo_supervisor(c)
        elif c.origin == "store":
            pass
        elif code == "invalid":
            # the commit's own content was refused: the actor is rebuilt from the journal,
            # a restart that is the command's doing, not counted against its intensity
            self.directory.send(c.origin, CommitFailed(why, counted=False), self.address)
        elif c.origin not in self._poisoned:  # (poisoned: it is told already)
            # the journal's fault, not the actor's: not counted against its restart
            # intensity (an outage of the database would otherwise close every dialog)
            self.directory.send(c.origin, CommitFailed(why, counted=False), self.address)

    def _undo_supervisor(self, c: messages.Commit) -> None:
        """The supervisor's open or login did not reach the journal: the actor it started
        for it holds state the journal does not, so it retires (the dialog number is not
        reused; the operator is not logged in)."""
        for e in c.events:
            if isinstance(e, engine_events.DialogOpened):
                self.directory.send(f"dialog:{e.dialog}", messages.Retire(), self.address)
            elif isinstance(e, engine_events.OperatorLoggedIn):
                self.directory.send(f"operator:{e.operator}", messages.Retire(), self.address)

    def _perform(self, origin: str, effect: messages.Effect) -> None:
        self.ctx.effects.perform(origin, effect)

    def _call(self, subscriber: notices.Subscriber | None, notice: notices.Notice) -> None:
        self.ctx.effects.call(subscriber, notice)

    # --- watching a closed dialog -------------------------------------------------------

    def _watch_closed(self, wc: messages.WatchClosed) -> None:
        w, dialog = wc.watch, wc.dialog
        state = None
        if self.projection.may_exist(dialog):
            try:
                state = self._read_dialog(dialog)
            except JournalError as e:
                why = f"cannot replay dialog {dialog}: the journal could not be read ({e})"
                self._call(w.subscriber, notices.Rejected(w.ref, "unavailable", why, dialog))
                return
        if state is None:
            refusal = notices.Rejected(w.ref, "unknown_dialog", f"no such dialog: {dialog}", dialog)
            self._call(w.subscriber, refusal)
        elif state.phase is not dialog_state.Phase.CLOSED:  # open, yet no actor: it was given up
            why = f"cannot watch dialog {dialog}: it is unavailable (its actor kept failing)"
            self._call(w.subscriber, notices.Rejected(w.ref, "unavailable", why, dialog))
        else:
            for effect in dialog_watch.replay(state, w):
                self._perform(self.address, effect)

    def _answer_closed(self, ac: messages.AnswerClosedSurvey) -> None:
        """A survey answer to a closed dialog: decided against its stream, the entry
        appended now (not through the inbox), so the next answer reads it."""
        inbound, dialog = ac.answer, ac.dialog
        ref = inbound.command.ref
        state = None
        if self.projection.may_exist(dialog):
            try:
                state = self._read_dialog(dialog)
            except JournalError as e:
                why = f"cannot answer a survey of dialog {dialog}: the journal could not be " \
                      f"read ({e})"
                self._call(inbound.reply_to, notices.Rejected(ref, "unavailable", why, dialog))
                return
        if state is None:
            refusal = notices.Rejected(ref, "unknown_dialog", f"no such dialog: {dialog}", dialog)
            self._call(inbound.reply_to, refusal)
            return
        decision = close_survey.answer_after_close(state, inbound, self.now())
        commit = messages.Commit(self.address, decision.events, decision.effects,
                                 ((inbound.reply_to, ref),))
        self._commit_batch([Envelope(0, commit, self.address)])

    def _read_dialog(self, dialog_id: str) -> dialog_state.DialogState | None:
        """A dialog's state from its stream in the journal (None: no such dialog)."""
        records: list[Record] = list(self.journal.read(0, f"dialog:{dialog_id}"))
        return dialog_watch.fold_stream(engine_events.from_record(r) for r in records)

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
            state: operator_state.OperatorState | None = None
            for r in records:
                e = engine_events.from_record(r)
                if isinstance(e, engine_events.OperatorLoggedIn):
                    state = operator_state.logged_in(e, self.ctx.settings.default_capacity)
                elif state is not None:
                    state = operator_state.apply(state, e)
            if state is None or not state.logged_in:
                return None
            return operator_state.OperatorState(
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

    def _rebuild_dialog(self, dialog_id: str) -> dialog_state.DialogState | None:
        """The dialog from its stream, with the projection's monitors: monitors are live
        session state, and the stream also holds those of past runs (whose sockets are
        gone; a start clears them in the projection, ``Engine.start``)."""
        state = self._read_dialog(dialog_id)
        if state is None or state.phase is dialog_state.Phase.CLOSED:
            return None
        live = self.projection.dialog(dialog_id)
        monitors = live.monitors if live is not None else frozenset()
        return dataclasses.replace(state, monitors=monitors)
