"""The composition root: one frontdesk node assembled from ``Settings`` and run.

``serve_node`` is what ``frontdesk serve`` runs, for a single node and for a
cluster node alike (``cluster.peer_url`` set). Both start the same way: the
port checked before the journal is opened (one line on stderr), the node's
parts opened in the data directory (journal, accounts, clock, runtime tuning:
``frontdesk.adapters.node_setup``), the demo accounts, the checkpoints folder. Then:

* a single node (``serve_single``, here): the engine on the system clock,
  started from the latest checkpoint, behind a ``StaticNode``;
* a cluster node (``frontdesk.web.cluster_node.serve_cluster``): a ``ClusterNode`` that
  starts and stops the engine with its role, the cluster routes, the clients'
  sockets closed when the node stops being primary.

Either serves the web server on one port until SIGTERM or SIGINT shuts it down
gracefully: no new connections, every websocket closed with 1001, the engine
stopped after the store flushed the journal. This is the only module (with
``frontdesk.web.cluster_node`` and ``frontdesk.web.cli``) that imports every layer; the layers
below it (engine <- config <- adapters) never import ``web``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import trio

from frontdesk.adapters import tuning
from frontdesk.adapters.node_setup import NodeParts, open_node
from frontdesk.adapters.startup_checks import bind_errors_translated, check_can_listen
from frontdesk.adapters.storage.availability import JournalWritable, keep_writable
from frontdesk.adapters.storage.checkpoint import (
    CheckpointStore,
    checkpoint_once,
    keep_checkpoints,
    start_state,
)
from frontdesk.adapters.surveys.demo import DEMO_CLOSE_SURVEY
from frontdesk.adapters.surveys.on_close import CloseSurveyKeeper
from frontdesk.config.settings import Settings
from frontdesk.engine.runtime import Engine
from frontdesk.web.cluster_node import node_settings, serve_cluster
from frontdesk.web.context import ServerContext, StaticNode
from frontdesk.web.options import options_from_settings
from frontdesk.web.server import run_server, stop_on_signals

PORT_FLAG = "--port (server.port)"
Demo = list[tuple[str, str, str]]


def with_demo_close_survey(settings: Settings, demo: bool) -> Settings:
    """A demo (``--demo``, ``demo = true``) sends its Satisfaction survey at each close,
    unless ``[surveys] on_close`` names another."""
    if not demo or settings.engine.survey_on_close:
        return settings
    engine = replace(settings.engine, survey_on_close=DEMO_CLOSE_SURVEY)
    return replace(settings, engine=engine,
                   surveys=replace(settings.surveys, on_close=DEMO_CLOSE_SURVEY))


def serve_node(settings: Settings, demo_wanted: bool = False) -> int:
    """Run the node ``settings`` describe until SIGTERM/SIGINT; 0 on a clean stop."""
    conf = node_settings(settings) if settings.cluster.peer_url else None
    host, port = settings.server.host, settings.server.port
    check_can_listen(host, port, PORT_FLAG)  # before the journal: one line on stderr
    parts = open_node(settings)
    checkpoints = CheckpointStore(Path(settings.storage.data_dir) / "checkpoints")
    try:
        demo = parts.demo_accounts(settings, demo_wanted)
        settings = with_demo_close_survey(settings, demo_wanted or settings.demo)
        CloseSurveyKeeper(parts.surveys, settings.engine.survey_on_close,
                          settings.engine.close_surveys).start()
        if conf is None:
            serve_single(settings, parts, demo, checkpoints)
        else:
            serve_cluster(settings, conf, parts, demo, checkpoints)
    finally:
        parts.close()
    logging.getLogger("frontdesk.cli" if conf is None else "frontdesk.cluster").info("stopped")
    return 0


def serve_single(
    settings: Settings, parts: NodeParts, demo: Demo, checkpoints: CheckpointStore
) -> None:
    """A single node: its engine from the latest checkpoint, checkpointed once more at the stop."""
    engine: Engine | None = None
    try:
        state, _ = start_state(checkpoints, parts.journal, settings.engine.default_capacity)
        engine = Engine(settings.engine, parts.journal, parts.clock, fold=state).start()
        node = StaticNode(parts.journal.epoch)
        options = options_from_settings(settings)  # port 0 (any free port) is fine here
        ctx = ServerContext(engine, parts.accounts, options, parts.clock, node)
        ctx.mail = parts.mail
        ctx.files = parts.files
        ctx.knowledge = parts.knowledge
        ctx.predefined = parts.predefined
        ctx.surveys = parts.surveys
        ctx.offline = parts.offline
        ctx.readiness.add(JournalWritable(parts.journal.availability))
        with bind_errors_translated(settings.server.host, settings.server.port, PORT_FLAG):
            trio.run(_serve, ctx, demo, parts, checkpoints)
    finally:
        if engine is not None:
            engine.stop()  # the store flushes the journal first
            trio.run(partial(checkpoint_once, checkpoints, engine, min_records=1))


async def _serve(ctx: Any, demo: Demo, parts: NodeParts, checkpoints: CheckpointStore) -> None:
    stop = trio.Event()
    # the actors run on this loop (docs/architecture.md), until it ends: the engine stops after
    ctx.engine.host(trio.lowlevel.current_trio_token().run_sync_soon)
    try:
        await _serve_hosted(ctx, demo, parts, checkpoints, stop)
    finally:
        ctx.engine.unhost()


async def _serve_hosted(ctx: Any, demo: Demo, parts: NodeParts, checkpoints: CheckpointStore,
                        stop: trio.Event) -> None:
    async with trio.open_nursery() as nursery:
        nursery.start_soon(stop_on_signals, stop)
        nursery.start_soon(_checkpoints_until, stop, checkpoints, ctx.engine)
        port: int = await nursery.start(run_server, ctx, stop)
        ctx.node.ready = True
        nursery.start_soon(keep_writable, parts.journal, stop)
        tuning.after_startup(parts.runtime)
        print(banner(ctx.options.base_url(port), demo), flush=True)
        # the signal watcher sets ``stop`` and returns; run_server then shuts down and returns


async def _checkpoints_until(stop: trio.Event, store: CheckpointStore, engine: Engine) -> None:
    """Checkpoints of the engine's state while the server runs (one more at the stop)."""
    async with trio.open_nursery() as nursery:
        nursery.start_soon(keep_checkpoints, store, engine)
        await stop.wait()
        nursery.cancel_scope.cancel()


def banner(base: str, demo: Demo) -> str:
    lines = [
        f"frontdesk is ready on {base}",
        f"  demo site with the chat widget: {base}/demo",
        f"  operator console:               {base}/console",
        f"  manager view:                   {base}/manager",
        f"  health: {base}/healthz   metrics: {base}/metrics",
    ]
    if demo:
        lines.append("demo accounts (log in at " + base + "/login):")
        lines += [f"  {role:<8} {login:<6} password: {password}" for login, password, role in demo]
    return "\n".join(lines)
