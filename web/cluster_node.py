"""A cluster node (``cluster.peer_url`` set): the web server over a ``ClusterNode``.

Assembled by ``frontdesk.web.node.serve_node`` on the same parts as a single node, with
three differences: the engine is started and stopped by the node with its role
(``NodeEngine`` gives the web server whichever engine runs now), the app gains
``frontdesk.web.cluster_routes`` (``/ws/replication``, ``/api/cluster``,
``/api/cluster/switchover``), and when the node stops being primary every
client websocket is closed (1012) so that clients reconnect to the primary.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from urllib.parse import urlsplit

import trio

from frontdesk.adapters import tuning
from frontdesk.adapters.account_state import MergeResult
from frontdesk.adapters.failback import FailbackPolicy, run_failback
from frontdesk.adapters.node_setup import NodeParts
from frontdesk.adapters.replication import (
    knowledge_link,
    offline_link,
    predefined_link,
    survey_link,
)
from frontdesk.adapters.replication.accounts_link import AccountLink
from frontdesk.adapters.replication.engine_proxy import NodeEngine
from frontdesk.adapters.replication.files_link import FileLink
from frontdesk.adapters.replication.knowledge_link import KnowledgeLink
from frontdesk.adapters.replication.mail_link import MailLink
from frontdesk.adapters.replication.node import ClusterNode
from frontdesk.adapters.replication.offline_link import OfflineLink
from frontdesk.adapters.replication.predefined_link import PredefinedLink
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.replication.survey_link import SurveyLink
from frontdesk.adapters.startup_checks import bind_errors_translated
from frontdesk.adapters.storage import SqlJournal
from frontdesk.adapters.storage.availability import JournalWritable, keep_writable
from frontdesk.adapters.storage.checkpoint import CheckpointStore
from frontdesk.adapters.surveys.on_close import CloseSurveyKeeper
from frontdesk.config.settings import Settings
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.journal import Journal
from frontdesk.engine.replay import Fold
from frontdesk.engine.runtime import Engine
from frontdesk.web.cluster_routes import cluster_routes
from frontdesk.web.context import ServerContext
from frontdesk.web.options import ServerOptions, options_from_settings
from frontdesk.web.server import run_server, stop_on_signals
from frontdesk.web.switch_back import SwitchBackPolicy
from frontdesk.web.ws_base import CLOSE_SERVICE_RESTART

log = logging.getLogger("frontdesk.cluster")


def node_settings(settings: Settings) -> ClusterSettings:
    c = settings.cluster
    if not c.peer_url or not c.witness_url:
        raise ConfigError(
            "cluster: a cluster node needs cluster.peer_url and cluster.witness_url, got "
            f"peer_url={c.peer_url!r} witness_url={c.witness_url!r}"
        )
    if settings.server.port == 0 and not c.advertise_url:
        raise ConfigError("cluster.advertise_url: expected a URL when server.port is 0")
    advertise = c.advertise_url or f"http://{settings.server.host}:{settings.server.port}"
    return ClusterSettings(
        node_name=c.node_name,
        role=c.role,
        advertise_url=advertise,
        peer_url=c.peer_url,
        witness_url=c.witness_url,
        mode=c.mode,
        heartbeat_interval_s=c.heartbeat_interval_s,
        failover_timeout_s=c.failover_timeout_s,
        lease_s=c.lease_s,
        sync_timeout_s=c.sync_timeout_s,
        secret=c.secret,
        batch_records=c.batch_records,
    )


def node_options(settings: Settings, conf: ClusterSettings) -> ServerOptions:
    """The web options of a cluster node: it names itself by its advertised URL.

    ``/api/config`` and ``hello`` list this node first, then its peer; the
    pages and clients dial those URLs, so they must be the reachable ones
    (``http://0.0.0.0:port`` is not), the same the peer and the witness know.
    The peer's origin is allowed too: a console page served by one node opens
    its websocket on the other after a failover.
    """
    peers = tuple(_origin(url) for url in settings.cluster.peers)
    allowed = (*settings.server.allowed_origins, *peers)
    if settings.server.public_url:
        return options_from_settings(settings, allowed_origins=allowed)
    return options_from_settings(settings, public_url=conf.advertise_url, allowed_origins=allowed)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def serve_cluster(
    settings: Settings,
    conf: ClusterSettings,
    parts: NodeParts,
    demo: list[tuple[str, str, str]],
    checkpoints: CheckpointStore,
) -> None:
    """A cluster node on the parts ``web.node.serve_node`` opened, until SIGTERM/SIGINT."""
    clock = parts.clock
    engine_settings = replace(settings.engine, node_name=conf.node_name)

    close_survey = CloseSurveyKeeper(parts.surveys, engine_settings.survey_on_close,
                                     engine_settings.close_surveys)

    def engine_factory(j: Journal, epoch: int, fold: Fold | None) -> Engine:
        if parts.surveys is not None and close_survey.title:
            # a promotion: the templates as they are now (shared on PostgreSQL, where
            # another node's edit fires no listener here)
            close_survey.refresh()
        return Engine(engine_settings, j, clock, epoch=epoch, fold=fold)

    node = ClusterNode(
        conf,
        parts.journal,
        engine_factory,
        checkpoints=checkpoints,
        default_capacity=engine_settings.default_capacity,
    )
    ctx = ServerContext(
        NodeEngine(node), parts.accounts, node_options(settings, conf), clock, node
    )
    ctx.mail = parts.mail
    ctx.files = parts.files
    ctx.knowledge = parts.knowledge
    ctx.predefined = parts.predefined
    ctx.surveys = parts.surveys
    ctx.offline = parts.offline
    node.accounts_link = AccountLink(parts.accounts, partial(_end_sessions_soon, ctx))
    if parts.files is not None:
        node.files_link = FileLink(parts.files)
    # the tables of rows that replicate on SQLite (on PostgreSQL the cluster shares them)
    wake = lambda: node.call_soon(node.source.wake)  # noqa: E731 (a change crosses at once)
    if parts.knowledge is not None and not parts.knowledge.shared:
        node.row_links[knowledge_link.KIND] = KnowledgeLink(parts.knowledge)
        parts.knowledge.add_listener(wake)
    if parts.predefined is not None and not parts.predefined.is_shared:
        node.row_links[predefined_link.KIND] = PredefinedLink(parts.predefined)
        parts.predefined.add_listener(wake)
    if parts.offline is not None and not parts.offline.shared:
        node.row_links[offline_link.KIND] = OfflineLink(parts.offline)
        parts.offline.add_listener(wake)
    if parts.surveys is not None and not parts.surveys.shared:
        node.row_links[survey_link.KIND] = SurveyLink(parts.surveys)
        parts.surveys.add_listener(wake)
    if parts.mail is not None and not parts.mail.outbox.shared:  # PostgreSQL: shared already
        node.mail_link = MailLink(parts.mail.outbox)
        parts.mail.outbox.add_listener(lambda: node.call_soon(node.source.wake))
    ctx.readiness.add(JournalWritable(parts.journal.availability))
    with bind_errors_translated(settings.server.host, settings.server.port, "--port (server.port)"):
        policies = return_policies(settings)
        serve = partial(_serve, policies=policies)
        trio.run(serve, ctx, node, demo, parts.runtime, parts.journal)


def return_policies(settings: Settings) -> tuple[SwitchBackPolicy, FailbackPolicy]:
    """Return to main (docs/failover.md): who may switch back, and automatic failback."""
    c = settings.cluster
    return (
        SwitchBackPolicy(operators_may=c.operators_may_switch_back),
        FailbackPolicy(mode=c.failback, after_s=c.failback_after_s, started_as=c.role),
    )


async def _serve(
    ctx: ServerContext,
    node: ClusterNode,
    demo: list[tuple[str, str, str]],
    runtime: tuning.RuntimeTuning,
    journal: SqlJournal,
    *,
    policies: tuple[SwitchBackPolicy, FailbackPolicy] = (SwitchBackPolicy(), FailbackPolicy()),
) -> None:
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(stop_on_signals, stop)
        nursery.start_soon(keep_writable, journal, stop)
        await nursery.start(node.run)
        port = await nursery.start(
            partial(run_server, ctx, stop, extra_routes=cluster_routes(ctx, node, policies[0]))
        )
        nursery.start_soon(_close_clients_when_deposed, ctx, node)
        nursery.start_soon(run_failback, node, policies[1], node.settings.failover_timeout_s * 4)
        tuning.after_startup(runtime)
        base = ctx.options.base_url(port)
        print(
            f"frontdesk node {node.settings.node_name} ({node.role}, epoch {node.epoch}) "
            f"listening on {base}",
            flush=True,
        )
        for login, password, role in demo:
            print(f"  {role:<8} {login:<6} password: {password}", flush=True)
        await stop.wait()
        nursery.cancel_scope.cancel()


def _end_sessions_soon(ctx: ServerContext, result: MergeResult) -> None:
    """Sessions ended on the other node: close their sockets here (not on the link's task)."""
    if ctx.tasks is not None:
        ctx.tasks.start_soon(ctx.sessions.end_elsewhere, result.revoked, result.logins_reset)


async def _close_clients_when_deposed(ctx: ServerContext, node: ClusterNode) -> None:
    """A node that stops serving closes its client sockets: clients go to the primary."""
    changed = trio.Event()

    def notify() -> None:
        changed.set()

    node.watchers.append(notify)
    while True:
        await changed.wait()
        changed = trio.Event()
        if not node.ready and ctx.connections:
            log.info("not primary any more: closing %d client sockets", len(ctx.connections))
            async with trio.open_nursery() as closers:
                for conn in list(ctx.connections):
                    closers.start_soon(conn.close, CLOSE_SERVICE_RESTART, "not primary")
