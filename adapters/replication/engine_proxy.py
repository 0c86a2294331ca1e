"""The engine as the web server sees it on a cluster node: whichever engine runs now.

The engine instance changes with the role: none on a backup, a fresh one
(replaying the journal) after each promotion. ``NodeEngine`` implements
``EnginePort`` over ``ClusterNode.engine``: on a node that does not accept
writes, every command and watch is answered with ``Rejected`` code
``not_primary`` naming the node believed to be primary; ``watch_all``
subscribers are kept and re-attached to each new engine.

It sees the node through ``EngineHost``: the engine now running, whether the node
accepts writes, what to name in a refusal, and its change notifications.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.engine import survey_results
from frontdesk.engine.commands import Command
from frontdesk.engine.day_figures import no_figures
from frontdesk.engine.notices import Rejected, Subscriber
from frontdesk.engine.report_facts import ReportFacts
from frontdesk.engine.reports import Report


class EngineHost(Protocol):
    """What ``NodeEngine`` uses of the node (``ClusterNode`` satisfies it)."""

    @property
    def engine(self) -> object | None: ...
    @property
    def settings(self) -> ClusterSettings: ...
    @property
    def role(self) -> str: ...
    @property
    def epoch(self) -> int: ...

    def accepts_writes(self) -> bool: ...

    def primary_hint(self) -> str: ...

    def health(self) -> dict[str, Any]: ...

    def watch_changes(self, watcher: Callable[[], None]) -> None: ...


class NodeEngine:
    def __init__(self, node: EngineHost) -> None:
        self.node = node
        self._all: list[Subscriber] = []
        self._attached: tuple[object, list[Subscriber]] | None = None
        self._lock = threading.Lock()
        node.watch_changes(self._reattach)

    def _engine(self) -> Any:
        engine = self.node.engine
        return engine if engine is not None and self.node.accepts_writes() else None

    def _refusal(self, ref: str | None, dialog: str | None = None) -> Rejected:
        node = self.node
        return Rejected(
            ref,
            "not_primary",
            f"cannot serve this on {node.settings.node_name}: it is {node.role} of epoch "
            f"{node.epoch}; the primary is {node.primary_hint() or 'unknown'}",
            dialog,
        )

    def _reattach(self) -> None:
        """Give a newly started engine the managers' subscribers (trio thread)."""
        engine: Any = self.node.engine
        with self._lock:
            if engine is None or (self._attached is not None and self._attached[0] is engine):
                return
            subscribers = list(self._all)
            self._attached = (engine, subscribers)
        for subscriber in subscribers:
            engine.watch_all(subscriber)

    # -- EnginePort ---------------------------------------------------------------------

    def submit(self, command: Command, reply_to: Subscriber | None = None) -> None:
        engine = self._engine()
        if engine is None:
            if reply_to is not None:
                reply_to(self._refusal(command.ref, getattr(command, "dialog_id", None)))
            return
        engine.submit(command, reply_to)

    def watch_dialog(self, dialog_id: str, subscriber: Subscriber, **kwargs: Any) -> None:
        engine = self._engine()
        if engine is None:
            subscriber(self._refusal(kwargs.get("ref"), dialog_id))
            return
        engine.watch_dialog(dialog_id, subscriber, **kwargs)

    def unwatch_dialog(self, dialog_id: str, subscriber: Subscriber) -> None:
        if self.node.engine is not None:
            self.node.engine.unwatch_dialog(dialog_id, subscriber)  # type: ignore[attr-defined]

    def entry_epoch(self, dialog_id: str, seq: int) -> int | None:
        engine = self.node.engine
        return engine.entry_epoch(dialog_id, seq) if engine is not None else None  # type: ignore[attr-defined]

    def watch_operator(self, operator_id: str, subscriber: Subscriber) -> None:
        engine = self._engine()
        if engine is None:
            subscriber(self._refusal(None))
            return
        engine.watch_operator(operator_id, subscriber)

    def unwatch_operator(self, operator_id: str, subscriber: Subscriber) -> None:
        if self.node.engine is not None:
            self.node.engine.unwatch_operator(operator_id, subscriber)  # type: ignore[attr-defined]

    def watch_all(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._all.append(subscriber)
            attached = self._attached
            if attached is not None:
                attached[1].append(subscriber)
        if attached is not None:
            attached[0].watch_all(subscriber)  # type: ignore[attr-defined]

    def unwatch_all(self, subscriber: Subscriber) -> None:
        with self._lock:
            if subscriber in self._all:
                self._all.remove(subscriber)
        if self.node.engine is not None:
            self.node.engine.unwatch_all(subscriber)  # type: ignore[attr-defined]

    def snapshot(self) -> dict[str, Any]:
        engine = self._engine()
        if engine is None:
            return {
                "node": self.node.health(),
                "operators": [],
                "dialogs": [],
                "queue": [],
                "help_requests": [],
                "operator_internal": [],
                "figures": no_figures(),
            }
        snap: dict[str, Any] = engine.snapshot()
        snap["cluster"] = self.node.health()
        return snap

    def figures(self) -> dict[str, Any]:
        engine = self._engine()
        return no_figures() if engine is None else engine.figures()

    def report(self, start: float, end: float, now: float) -> Report:
        engine = self._engine()
        if engine is None:  # the route refuses a node not serving first; a race gets nothing
            return ReportFacts().report(start, end, now)
        report: Report = engine.report(start, end, now)
        return report

    def survey_results(self) -> dict[str, Any]:
        engine = self._engine()
        return survey_results.results(()) if engine is None else engine.survey_results()

    def audit(self, since: float | None = None, until: float | None = None) -> list[dict[str, Any]]:
        engine = self._engine()
        return [] if engine is None else engine.audit(since, until)

    def stop(self) -> None:
        """The node stops its engine; nothing to do here."""
