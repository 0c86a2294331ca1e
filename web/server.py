"""Serve the app (``web.front``: websockets directly, HTTP through Hypercorn), stop gracefully.

``run_server(ctx, stop)`` serves until ``stop`` is set, then: refuses new
upgrades (``ctx.accepting = False``), stops the listeners, closes every
websocket with 1001 and waits (at most ``shutdown_timeout_s``) for Hypercorn to
finish the connections. Stopping the engine (which flushes the journal) is the
caller's next step, once the loop no longer serves anyone.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from typing import Any, cast

import trio
from hypercorn.config import Config as HypercornConfig
from starlette.routing import BaseRoute

from frontdesk.adapters.bridge import Bridge
from frontdesk.adapters.mail.service import MailService
from frontdesk.engine.api import EnginePort
from frontdesk.web.app import build_app
from frontdesk.web.context import NodeState, ServerContext
from frontdesk.web.figure_samples import sample_figures
from frontdesk.web.front import Front
from frontdesk.web.ws_base import CLOSE_GOING_AWAY, CLOSE_SERVICE_RESTART

log = logging.getLogger("frontdesk.web")


def hypercorn_config(ctx: ServerContext) -> HypercornConfig:
    options = ctx.options
    config = HypercornConfig()
    config.bind = [f"{options.host}:{options.port}"]
    config.websocket_max_message_size = options.max_frame_bytes
    config.graceful_timeout = options.shutdown_timeout_s
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.keep_alive_timeout = 30
    return config


async def run_server(
    ctx: ServerContext,
    stop: trio.Event,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``ctx`` until ``stop`` is set; ``task_status.started(port)`` once listening."""
    ctx.bridge = Bridge.capture()
    app = cast(Any, build_app(ctx, extra_routes))
    ctx.engine.watch_all(ctx.observe)
    stop_listening = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            ctx.tasks = nursery
            front = Front(app, hypercorn_config(ctx), ctx.ws_endpoints,
                          ctx.options.max_frame_bytes, ctx.options.shutdown_timeout_s)
            port: int = await nursery.start(
                front.serve, ctx.options.host, ctx.options.port, stop_listening)
            ctx.port = port
            mail_scope = trio.CancelScope()
            if ctx.mail is not None:
                ctx.mail.worker.active = lambda: sends_mail(ctx.node)
                nursery.start_soon(_run_mail, ctx.mail, mail_scope)
            sampling = trio.CancelScope()
            nursery.start_soon(_run_sampling, ctx, sampling)
            task_status.started(port)
            await stop.wait()
            sampling.cancel()
            mail_scope.cancel()  # a mail being sent stays queued: it is sent after the restart
            log.info("shutting down: closing %d websockets with 1001", len(ctx.connections))
            ctx.accepting = False
            stop_listening.set()
            async with trio.open_nursery() as closers:
                for conn in list(ctx.connections):
                    closers.start_soon(conn.close, CLOSE_GOING_AWAY, "server shutting down")
            nursery.cancel_scope.deadline = trio.current_time() + ctx.options.shutdown_timeout_s
    finally:
        ctx.tasks = None
        ctx.engine.unwatch_all(ctx.observe)


def sends_mail(node: NodeState) -> bool:
    """Whether this node's mail worker sends now: only the node accepting writes does (in a
    cluster: the primary, lease valid, engine started; with a PostgreSQL outbox both nodes
    see the same rows, so a backup, or a primary whose lease lapsed, must not send them)."""
    return node.role == "primary" and node.ready


async def _run_sampling(ctx: ServerContext, scope: trio.CancelScope) -> None:
    with scope:  # the engine is replaced at a failover: read it at each sample
        await sample_figures(ctx.samples, lambda: ctx.engine.figures(), lambda: ctx.node.ready)  # noqa: PLW0108


async def _run_mail(mail: MailService, scope: trio.CancelScope) -> None:
    with scope:
        await mail.run()


async def stop_on_signals(stop: trio.Event) -> None:
    """Set ``stop`` at the first SIGTERM or SIGINT."""
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for signum in signals:
            log.info("received %s", signal.Signals(signum).name)
            stop.set()
            return


async def switch_engine(ctx: ServerContext, engine: EnginePort) -> None:
    """Serve ``engine`` from now on (failover, switchover, a restarted engine).

    Every websocket is closed with 1012 (service restart): the clients
    reconnect and resume from their last seq on the new engine, which has
    replayed the journal. Subscriptions on the old engine die with it.
    """
    old = ctx.engine
    try:
        old.unwatch_all(ctx.observe)
    except Exception:
        log.debug("unwatch on the old engine failed", exc_info=True)
    ctx.engine = engine
    engine.watch_all(ctx.observe)
    async with trio.open_nursery() as closers:
        for conn in list(ctx.connections):
            closers.start_soon(conn.close, CLOSE_SERVICE_RESTART, "engine restarted: resume")
