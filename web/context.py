"""Everything a request handler needs, in one object made at start-up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import trio

from frontdesk.adapters.bridge import Bridge
from frontdesk.engine.api import EnginePort
from frontdesk.engine.clock import Clock
from frontdesk.engine.notices import DialogAssigned, DialogClosed, DialogOpened, Notice
from frontdesk.web.auth import AccountsPort
from frontdesk.web.figure_samples import FigureSamples
from frontdesk.web.login_guard import LoginGuard
from frontdesk.web.metrics import Metrics
from frontdesk.web.options import ServerOptions
from frontdesk.web.readiness import Readiness
from frontdesk.web.session_sockets import SessionSockets

_OBSERVED = (DialogOpened, DialogAssigned, DialogClosed)  # a tuple: a union is built per call

if TYPE_CHECKING:
    from frontdesk.adapters.files import FileStore
    from frontdesk.adapters.knowledge import KnowledgeBase
    from frontdesk.adapters.mail.service import MailService
    from frontdesk.adapters.offline import OfflineMessages
    from frontdesk.adapters.predefined import PredefinedAnswers
    from frontdesk.adapters.surveys import SurveyTemplates
    from frontdesk.web.front import WsHandler
    from frontdesk.web.ws_base import WsConnection


class NodeState(Protocol):
    """What ``/healthz`` and ``hello`` report; the failover layer provides a live one."""

    @property
    def role(self) -> str: ...
    @property
    def epoch(self) -> int: ...
    @property
    def ready(self) -> bool: ...


@dataclass
class StaticNode:
    """A single node: always primary; ``epoch`` read from the journal."""

    epoch_of: Callable[[], int] = lambda: 1
    role: str = "primary"
    ready: bool = False

    @property
    def epoch(self) -> int:
        return self.epoch_of()


@dataclass
class ServerContext:
    engine: EnginePort
    accounts: AccountsPort
    options: ServerOptions
    clock: Clock
    node: NodeState
    metrics: Metrics = field(default_factory=Metrics)
    bridge: Bridge | None = None
    connections: set[WsConnection] = field(default_factory=set)
    accepting: bool = True
    port: int | None = None
    presence: Any = None  # frontdesk.web.presence.Presence, set by the app factory
    # frontdesk.web.visitor_presence.VisitorPresenceTracker, set by the app factory
    visitor_presence: Any = None
    tasks: trio.Nursery | None = None  # the server's nursery (set by run_server)
    # path -> handler of the websocket endpoints the front serves itself (set by build_app)
    ws_endpoints: dict[str, WsHandler] = field(default_factory=dict)
    _metrics_lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: SessionSockets = field(default_factory=SessionSockets)  # sockets by session
    # the engine's read models (reports, audit, survey results) fold on one thread at a time
    views_limiter: trio.CapacityLimiter = field(default_factory=lambda: trio.CapacityLimiter(1))
    login_guard: LoginGuard | None = None  # None: made from options.login_limits at first use
    readiness: Readiness = field(default_factory=Readiness)  # named conditions (/healthz)
    mail: MailService | None = None  # the outbox and its worker (adapters.mail); None: no mail
    files: FileStore | None = None  # dialogs' files (adapters.files); None: no uploads
    knowledge: KnowledgeBase | None = None  # articles (adapters.knowledge); None: no search
    predefined: PredefinedAnswers | None = None  # answers (adapters.predefined); None: none
    surveys: SurveyTemplates | None = None  # survey templates (adapters.surveys); None: none
    samples: FigureSamples = field(default_factory=FigureSamples)  # the chart's last hour
    offline: OfflineMessages | None = None  # offline messages (adapters.offline); None: none

    def logins(self) -> LoginGuard:
        """The throttle and hash bound every password check goes through."""
        if self.login_guard is None:
            self.login_guard = LoginGuard(self.options.login_limits)
        return self.login_guard

    def require_bridge(self) -> Bridge:
        if self.bridge is None:
            raise RuntimeError("the server has not started: no bridge to the trio loop yet")
        return self.bridge

    def observe(self, notice: Notice) -> None:
        """All-seeing subscriber (engine thread): feeds the assignment latency histogram."""
        if isinstance(notice, _OBSERVED):
            with self._metrics_lock:
                self.metrics.observe_notice(notice.to_wire())

    def nodes(self) -> list[str]:
        own = self.options.base_url(self.port)
        return [own, *(n for n in self.options.nodes if n.rstrip("/") != own)]

    def hello(self, you: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "hello",
            "node": self.options.node_name,
            "role": self.node.role,
            "epoch": self.node.epoch,
            "nodes": self.nodes(),
            "you": you,
        }
