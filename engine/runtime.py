"""``Engine``: the whole engine in one object, implementing ``EnginePort``.

``start()`` replays the journal (engine/replay.py) — or, given a ``fold`` (a
checkpoint's, or a hot standby's), only the records after it — then starts
the store, the supervisor, the queue, an OperatorActor per logged-in operator
and a DialogActor per open dialog; ``replayed`` says how many records it
folded. A given fold that does not fit the journal (``replay.fits``: ahead
of it, or of another history) is dropped for a full replay, with a warning.
Every method after that is non-blocking and thread-safe: it sends a message
through the directory and returns; answers come to the given subscriber once
durable. The managers' reports, audit list and survey results are the exception: blocking
questions to ``views`` (``engine/journal_views.py``), asked from a worker thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from frontdesk.engine import commands, encodable, messages, notices, replay
from frontdesk.engine.actor import Context
from frontdesk.engine.clock import Clock, SystemClock
from frontdesk.engine.dialog_actor import DialogActor
from frontdesk.engine.dialog_model import evolve
from frontdesk.engine.directory import MANAGERS, Directory, Envelope
from frontdesk.engine.dispatch import Post
from frontdesk.engine.errors import EngineError
from frontdesk.engine.journal import Journal
from frontdesk.engine.journal_views import JournalViews
from frontdesk.engine.operator_actor import OperatorActor
from frontdesk.engine.projection import Projection
from frontdesk.engine.queue_actor import QueueActor
from frontdesk.engine.replay import Fold
from frontdesk.engine.reports import Report
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.store import StoreActor
from frontdesk.engine.supervisor import Supervisor

log = logging.getLogger("frontdesk.engine")

_TO_SUPERVISOR = (commands.OpenDialog, commands.OperatorLogin, commands.OpenMonitored)
_TO_OPERATOR = (commands.OperatorLogout, commands.SetStatus, commands.SetCapacity,
                commands.Transfer, commands.OperatorInternal)
_TO_DIALOG = (
    commands.VisitorSay,
    commands.VisitorClose,
    commands.OperatorSay,
    commands.OperatorClose,
    commands.MarkImportant,
    commands.AskForHelp,
    commands.Typing,
    commands.Monitor,
    commands.ManagerClose,
    commands.InternalMessage,
    commands.HelpAck,
    commands.HelpResolve,
    commands.ManagerSay,
    commands.TakeOver,
    commands.RecordMail,
    commands.RecordFile,
    commands.VisitorPresence,
    commands.VisitorLeft,
    commands.UseMonitoredLink,
    commands.SendSurvey,
    commands.AnswerSurvey,
)


class Engine:
    def __init__(
        self,
        settings: EngineSettings,
        journal: Journal,
        clock: Clock | None = None,
        epoch: int | None = None,
        fold: Fold | None = None,
    ) -> None:
        self.settings = settings
        self._fold = fold
        self.replayed = 0  # journal records folded by start()
        self.journal = journal
        self.views = JournalViews(journal)  # reports, audit, survey results: folded on demand
        self._own_clock = clock is None
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._epoch = epoch
        self.directory = Directory()
        self.ctx = Context(self.directory, settings, self.clock)
        self.projection: Projection | None = None
        self.epoch = 0
        self.started = False
        self.stopped = False

    # --- life --------------------------------------------------------------------------

    def start(self) -> Engine:
        if self.started:
            raise EngineError("cannot start the engine: it is already started")
        fold = self._fold
        self._fold = None
        capacity = self.settings.default_capacity
        if fold is not None and (
            not replay.fits(fold, self.journal) or fold.default_capacity != capacity
        ):
            log.warning(
                "the given state (seq %d, epoch %d, default capacity %d) does not fit the "
                "journal (last %s) and settings (default capacity %d): replaying the journal",
                fold.last_seq,
                fold.epoch,
                fold.default_capacity,
                self.journal.last(),
                capacity,
            )
            fold = None
        if fold is None:
            fold = Fold(self.settings.default_capacity)
        replay.restore_histories(fold, self.journal)  # a summarised one: its actors need them
        self.replayed = replay.catch_up(fold, self.journal)
        self.epoch = max(self.journal.epoch(), self._epoch or 0)
        if self._epoch is not None and self._epoch > self.journal.epoch():
            self.journal.raise_epoch(self._epoch)
        node = {"name": self.settings.node_name, "epoch": self.epoch, "fenced": False}
        # nobody monitors after a start: the managers' sockets are gone with the old process
        # (their pages monitor again on reconnect), so the holders are not told otherwise
        for d in [d for d in fold.dialogs.values() if d.monitors]:
            fold.dialogs[d.id] = evolve(d, monitors=frozenset())
        dialogs = list(fold.dialogs.values())  # with their histories, for their actors
        self.projection = Projection(fold, self.clock, node)  # keeps summaries from here
        ctx = self.ctx
        StoreActor.launch("store", ctx, self.journal, self.projection, self.epoch)
        self.directory.on_absent = self._absent
        tokens = {d.token_hash: d.id for d in fold.dialogs.values()}
        restored = frozenset(op.address for op in fold.operators.values())
        Supervisor.launch("supervisor", ctx, fold.next_number, tokens, restored)
        QueueActor.launch("queue", ctx, fold.queue_state())
        for op in fold.operators.values():
            OperatorActor.launch(op.address, ctx, op, True)  # restored: no console yet
        for d in dialogs:
            DialogActor.launch(d.address, ctx, d)
        self.started = True
        log.info(
            "engine %s started at epoch %d: %d operators, %d open dialogs, journal seq %d "
            "(%d records replayed)",
            self.settings.node_name,
            self.epoch,
            len(fold.operators),
            len(fold.dialogs),
            fold.last_seq,
            self.replayed,
        )
        return self

    def stop(self) -> None:
        """Stop every actor (never on the loop that hosts them: ``unhost`` first)."""
        if self.stopped:
            return
        self.stopped = True
        self.unhost()
        if self.started:
            flushed = threading.Event()
            self.directory.send("store", messages.Barrier(flushed.set))
            if not flushed.wait(10):
                log.warning("the store did not flush within 10 s; stopping anyway")
        self.directory.close()
        # in rounds: an actor still handling what came before its stop (the supervisor, a
        # login) can launch another, which the next round stops
        told = 0
        while told < len(self.ctx.refs):
            batch = self.ctx.refs[told:]
            told += len(batch)
            futures = []
            for ref in batch:
                try:
                    futures.append(ref.stop(block=False))
                except Exception:  # already dead
                    continue
            for f in futures:
                try:
                    f.get(timeout=5)
                except Exception:
                    continue
        self.ctx.dispatcher.shutdown()
        self.ctx.store_dispatcher.shutdown()
        self.ctx.journal_writer.close()
        if self._own_clock and isinstance(self.clock, SystemClock):
            self.clock.stop()

    def host(self, post: Post) -> None:
        """Run the actors, the store among them, on the caller's loop from now on: ``post``
        runs what it is given soon, in order, on the loop's thread (trio's
        ``run_sync_soon``); only the journal's writes keep a thread of their own
        (``engine/journal_writer.py``). Call ``unhost`` before that loop ends. With
        ``dispatcher = "threads"`` every actor keeps its own thread and this does nothing."""
        self.ctx.dispatcher.host(post)
        self.ctx.store_dispatcher.host(post)

    def unhost(self) -> None:
        """Back to the engine's own threads (the loop is about to end): a write on the
        journal's thread whose finish was handed to the loop is finished here."""
        self.ctx.dispatcher.unhost()
        self.ctx.store_dispatcher.unhost()
        self.ctx.journal_writer.drain()

    def handoff(self) -> Fold | None:
        """After ``stop()``: the engine's state, for a standby or a next engine (None if
        it never started). Everything the store appended is in it, nothing else; it is
        the projection's, so it holds summaries (``replay.restore_histories``)."""
        if not self.stopped or self.projection is None:
            return None
        return self.projection.handoff()

    def checkpoint(self) -> bytes:
        """A checkpoint of the engine's state now (``frontdesk.engine.checkpoint``)."""
        return self._proj().checkpoint()

    def last_seq(self) -> int:
        """The journal seq the engine's state includes."""
        return self._proj().last_seq()

    @property
    def fenced(self) -> bool:
        """True once the journal refused this node's epoch (``StaleEpoch``): no more writes."""
        return bool(self.projection is not None and self.projection.node.get("fenced"))

    def _not_primary(self, what: str, ref: str | None,
                     dialog: str | None) -> notices.Rejected | None:
        """The refusal of everything once fenced (None while not fenced)."""
        why = self.projection.fenced_reason if self.projection is not None else None
        if why is None:
            return None
        return notices.Rejected(ref, "not_primary", f"cannot {what}: {why}", dialog)

    def _absent(self, address: str, env: Envelope) -> bool:
        """Directory hook: a Watch of a dialog nobody holds goes to the store, which
        replays a closed dialog's history (or says it does not exist). A command to a
        closed dialog whose actor has retired (before or after the command was sent) is
        refused ``closed``, as the actor itself would have, not ``unknown_dialog``; a survey
        answer goes to the store (the survey sent with the close is answered after it)."""
        if not address.startswith("dialog:"):
            return False
        dialog = address.removeprefix("dialog:")
        msg = env.message
        if isinstance(msg, messages.Watch):
            self.directory.send("store", messages.WatchClosed(dialog, msg))
            return True
        if isinstance(msg, messages.Inbound) and isinstance(msg.command, commands.AnswerSurvey):
            # the survey its close sent is answered after it: the store decides from the
            # journal (engine/close_survey.py); an unknown dialog is told so there
            self.directory.send("store", messages.AnswerClosedSurvey(dialog, msg))
            return True
        if isinstance(msg, messages.Inbound) and self._proj().is_closed(dialog):
            self._reply(msg.reply_to, _closed(msg.command, dialog))
            return True
        return False

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until no actor has anything left to do (see ``Directory.settle``)."""
        return self.directory.settle(timeout)

    # --- EnginePort --------------------------------------------------------------------

    def _proj(self) -> Projection:
        if self.projection is None:
            raise EngineError("the engine is not started: call start() first")
        return self.projection

    def submit(self, command: commands.Command, reply_to: notices.Subscriber | None = None) -> None:
        inbound = messages.Inbound(command, reply_to)
        refused = self._not_primary(
            commands.action(command), command.ref, getattr(command, "dialog_id", None)
        )
        if refused is not None:
            self._reply(reply_to, refused)
            return
        bad = encodable.command_problem(command)
        if bad is not None:  # the journal could never store it: refused, not "retry later"
            dialog = getattr(command, "dialog_id", None)
            what = commands.action(command)
            ref = command.ref if encodable.problem(command.ref) is None else None
            self._reply(reply_to, notices.Rejected(ref, "invalid", f"cannot {what}: {bad}", dialog))
            return
        if isinstance(command, _TO_SUPERVISOR):
            self.directory.send("supervisor", inbound)
        elif isinstance(command, _TO_OPERATOR):
            if isinstance(command, commands.OperatorInternal):
                inbound = messages.Inbound(command, _worded_for_absent(command, reply_to))
            self.directory.send(f"operator:{command.operator_id}", inbound)
        elif isinstance(command, _TO_DIALOG):
            # a closed dialog's actor is gone (or leaving): the directory's absent hook
            # answers ``closed`` for it (``_absent``)
            self.directory.send(f"dialog:{command.dialog_id}", inbound)
        else:
            self._reply(
                reply_to,
                notices.Rejected(
                    command.ref, "invalid", f"the engine does not take {type(command).__name__}"
                ),
            )

    @staticmethod
    def _reply(reply_to: notices.Subscriber | None, notice: notices.Notice) -> None:
        if reply_to is not None:
            reply_to(notice)

    def watch_dialog(
        self,
        dialog_id: str,
        subscriber: notices.Subscriber,
        *,
        after_seq: int = 0,
        token_hash: str | None = None,
        operator_id: str | None = None,
        manager_id: str | None = None,
        ref: str | None = None,
        after_epoch: int | None = None,
    ) -> None:
        refused = self._not_primary(f"watch dialog {dialog_id}", ref, dialog_id)
        if refused is not None:
            subscriber(refused)
            return
        if after_epoch is not None:
            after_seq = self._resume_point(dialog_id, subscriber, after_epoch, after_seq)
        w = messages.Watch(subscriber, after_seq, token_hash, operator_id, manager_id, ref)
        if self._proj().is_closed(dialog_id) and not self.directory.exists(f"dialog:{dialog_id}"):
            # closed: the store replays its history; nothing live follows
            self.directory.send("store", messages.WatchClosed(dialog_id, w))
            return
        self.directory.send(f"dialog:{dialog_id}", w)  # no actor: the store answers (_absent)

    def _resume_point(
        self, dialog_id: str, subscriber: notices.Subscriber, epoch: int, seq: int
    ) -> int:
        """The seq to replay after for a cursor ``(epoch, seq)``; a cursor that is not this
        node's history is told ``dialog.discontinuity`` first (``Fold.resume_point``)."""
        proj = self._proj()
        point = proj.resume_point(dialog_id, epoch, seq)
        if point is None:
            return seq
        latest_epoch, latest_seq = proj.dialog_cursor(dialog_id)
        log.info(
            "resume of %s at (%d, %d): not this node's history, replayed after seq %d",
            dialog_id, epoch, seq, point,
        )
        subscriber(notices.DialogDiscontinuity(dialog_id, latest_seq, point, latest_epoch))
        return point

    def entry_epoch(self, dialog_id: str, seq: int) -> int | None:
        """The epoch in which entry ``seq`` of the dialog was written (None: not known)."""
        return self._proj().entry_epoch(dialog_id, seq)

    def unwatch_dialog(self, dialog_id: str, subscriber: notices.Subscriber) -> None:
        self.directory.remove_watcher(f"dialog:{dialog_id}", subscriber)

    def watch_operator(self, operator_id: str, subscriber: notices.Subscriber) -> None:
        refused = self._not_primary(f"watch operator {operator_id}", None, None)
        if refused is not None:
            subscriber(refused)
            return
        self.directory.send(f"operator:{operator_id}",
                            messages.Watch(subscriber, operator_id=operator_id))

    def unwatch_operator(self, operator_id: str, subscriber: notices.Subscriber) -> None:
        self.directory.remove_watcher(f"operator:{operator_id}", subscriber)
        self.directory.remove_watcher("queue", subscriber)

    def watch_all(self, subscriber: notices.Subscriber) -> None:
        self.directory.add_watcher(MANAGERS, subscriber, "manager")

    def unwatch_all(self, subscriber: notices.Subscriber) -> None:
        self.directory.remove_watcher(MANAGERS, subscriber)

    def snapshot(self) -> dict[str, Any]:
        return self._proj().snapshot()

    def figures(self) -> dict[str, Any]:
        return self._proj().figures()

    def report(self, start: float, end: float, now: float) -> Report:
        return self.views.report(start, end, now)

    def survey_results(self) -> dict[str, Any]:
        return self.views.survey_results()

    def audit(self, since: float | None = None, until: float | None = None) -> list[dict[str, Any]]:
        return self.views.audit(since, until)


def _worded_for_absent(
    command: commands.OperatorInternal, reply_to: notices.Subscriber | None
) -> notices.Subscriber | None:
    """``reply_to``, with the directory's refusal for an operator nobody lives at ("no such
    operator: ann") worded for a message to them: they are not logged in."""
    if reply_to is None:
        return None
    target = reply_to

    def reply(notice: notices.Notice) -> None:
        if isinstance(notice, notices.Rejected) and notice.code == "unknown_operator":
            why = f"cannot {commands.action(command)}: {command.operator_id} is not logged in"
            notice = notices.Rejected(notice.ref, notice.code, why, None)
        target(notice)

    return reply


def _closed(command: commands.Command, dialog: str) -> notices.Rejected:
    """The refusal of a command to a closed dialog, worded as its actor words it."""
    return notices.Rejected(
        command.ref, "closed", f"cannot {commands.action(command)}: it is closed",
        dialog,
    )
