"""The engine's face to adapters: what ``web/`` and the harness may call.

Everything here is non-blocking and thread-safe: it tells an actor and
returns. Results come back as notices to the given subscriber, sent once what
they report is durable. ``frontdesk.engine.runtime.Engine`` implements this protocol.
"""

from __future__ import annotations

from typing import Any, Protocol

from frontdesk.engine.commands import Command
from frontdesk.engine.notices import Subscriber
from frontdesk.engine.reports import Report


class EnginePort(Protocol):
    def submit(self, command: Command, reply_to: Subscriber | None = None) -> None:
        """Hand a command to the actor that owns it; one Ack or Rejected follows.

        ``OpenDialog`` is idempotent by ``token_hash`` while that dialog is open
        (the same dialog is acknowledged again). Once the node is fenced, every
        command is Rejected ``not_primary``."""
        ...

    def watch_dialog(
        self,
        dialog_id: str,
        subscriber: Subscriber,
        *,
        after_seq: int = 0,
        token_hash: str | None = None,
        operator_id: str | None = None,
        manager_id: str | None = None,
        ref: str | None = None,
        after_epoch: int | None = None,
    ) -> None:
        """Replay the dialog's history entries with seq > after_seq, then send it live.

        With ``after_epoch`` the cursor is ``(after_epoch, after_seq)``: the epoch of the
        client's last entry. If this node's entry at ``after_seq`` is of another epoch, or
        missing (a failover discarded the tail the client holds), ``DialogDiscontinuity``
        comes first, naming the seq up to which the client's history holds, and the replay
        starts after that seq instead.

        Exactly one of token_hash (the visitor), operator_id (the holder) or
        manager_id (monitoring) says who watches; anyone else gets Rejected
        (code ``forbidden``; ``unknown_dialog`` for an id that does not exist).
        The replay and the switch to live happen in the dialog's own actor, so
        nothing is missed and nothing is sent twice. The current position (if
        queued) follows the replay.

        A closed dialog is replayed the same way — to its visitor, a manager, or
        the operator who held it last — up to and including ``dialog.closed``,
        and then nothing more comes (no live subscription is kept). A node that
        is fenced answers Rejected ``not_primary``.
        """
        ...

    def unwatch_dialog(self, dialog_id: str, subscriber: Subscriber) -> None: ...

    def entry_epoch(self, dialog_id: str, seq: int) -> int | None:
        """The epoch in which entry ``seq`` of the dialog was written (None: not known)."""
        ...

    def watch_operator(self, operator_id: str, subscriber: Subscriber) -> None:
        """Status, dialogs added/removed, queue length and the operators list, live.

        Starts with the current state: StatusChanged, one DialogAdded per held
        dialog, QueueLength, OperatorsChanged.
        """
        ...

    def unwatch_operator(self, operator_id: str, subscriber: Subscriber) -> None: ...

    def watch_all(self, subscriber: Subscriber) -> None:
        """Managers: every notice about operators, dialogs and the queue."""
        ...

    def unwatch_all(self, subscriber: Subscriber) -> None: ...

    def snapshot(self) -> dict[str, Any]:
        """The inspection view (``GET /api/inspect``), built from committed events.

        ``{"node": {...}, "operators": [{"id", "name", "status", "status_since",
        "load", "capacity", "dialogs"}], "dialogs": [{"id", "state", "operator",
        "visitor_name", "waiting_s", "unanswered_s", "queued_s", "important",
        "monitored", "opened_at", "seq"}], "queue": [dialog ids in order], "help_requests": [...]}``
        """
        ...

    def figures(self) -> dict[str, Any]:
        """The manager view's live figures (``frontdesk.engine.day_figures.figures``), also
        the snapshot's ``figures``."""
        ...

    def report(self, start: float, end: float, now: float) -> Report:
        """The report of ``[start, end)`` read at ``now`` (``frontdesk.engine.reports``;
        ``GET /api/reports``). Folds the records appended since the last question
        (``frontdesk.engine.journal_views``; all of them the first time after a start):
        call it off the event loop. ``ValueError`` if ``end <= start``."""
        ...

    def survey_results(self) -> dict[str, Any]:
        """The survey figures (``frontdesk.engine.survey_results``; ``GET
        /api/surveys/results``), folded as ``report``; empty on a node with no engine."""
        ...

    def audit(self, since: float | None = None, until: float | None = None) -> list[dict[str, Any]]:
        """The step-ins journaled with ``since <= at < until``, newest first
        (``frontdesk.engine.audit``; ``GET /api/audit``), folded as ``report``: call it off
        the event loop."""
        ...

    def stop(self) -> None:
        """Stop every actor after the store has flushed the journal."""
        ...
