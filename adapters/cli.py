"""``frontdesk``: the command line (console script ``frontdesk = adapters.cli:main``).

``frontdesk serve`` wires one node: settings (defaults <- TOML <- environment
<- command line), the SQLite journal and the accounts in the data directory,
the engine on the system clock, and the web server on one port. SIGTERM or
SIGINT shuts it down gracefully: no new connections, every websocket closed
with 1001, the engine stopped after the store flushed the journal, exit 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import trio

from adapters import tuning, user_commands, witness
from adapters.node_setup import NodeParts, open_node
from adapters.replication import commands as cluster_commands
from adapters.replication import serve as cluster
from adapters.startup_checks import bind_errors_translated, check_can_listen, log_level
from adapters.storage.availability import JournalWritable, keep_writable
from adapters.storage.checkpoint import (
    CheckpointStore,
    checkpoint_once,
    keep_checkpoints,
    start_state,
)
from config.loader import load_settings
from engine.errors import FrontdeskError
from engine.runtime import Engine
from web.context import ServerContext, StaticNode
from web.options import options_from_settings
from web.server import run_server, stop_on_signals

log = logging.getLogger("frontdesk.cli")
PORT_FLAG = "--port (server.port)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk", description="frontdesk live chat")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run a frontdesk node (pages, API, websockets)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080; 0 = any free)")
    serve.add_argument("--data-dir", help="where the journal and accounts live (default ./data)")
    serve.add_argument("--config", help="a TOML settings file (see config/frontdesk.example.toml)")
    serve.add_argument(
        "--demo", action="store_true",
        help="create (or reset the passwords of) two demo operators and a demo manager "
             "and print their passwords; also done on a first run with no user at all",
    )
    serve.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    cluster.add_cluster_arguments(serve)
    serve.set_defaults(handler=cmd_serve)
    witness.add_subcommand(commands)
    cluster_commands.add_subcommand(commands)
    user_commands.add_subcommand(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except FrontdeskError as exc:
        print(f"frontdesk: {exc}", file=sys.stderr)
        return 2
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=log_level(args.log_level),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, Any] = {}
    if args.host is not None:
        overrides["server.host"] = args.host
    if args.port is not None and not 0 <= args.port <= 65535:
        print(f"frontdesk: --port: expected 0-65535 (0 = any free port), got {args.port}",
              file=sys.stderr)
        return 2
    if args.data_dir is not None:
        overrides["storage.data_dir"] = args.data_dir
    if args.port:  # 0 (any free port) is not a configurable port: it goes to the server below
        overrides["server.port"] = args.port
    overrides.update(cluster.cluster_overrides(args))
    settings = load_settings(Path(args.config) if args.config else None, os.environ, overrides)
    if settings.cluster.peer_url:
        return cluster.serve_cluster(settings, args.demo)
    host, port_number = settings.server.host, settings.server.port
    if args.port is not None:
        port_number = args.port
    check_can_listen(host, port_number, PORT_FLAG)  # before the journal: one line on stderr
    parts = open_node(settings)
    engine: Engine | None = None
    try:
        demo = parts.demo_accounts(settings, args.demo)
        checkpoints = CheckpointStore(Path(settings.storage.data_dir) / "checkpoints")
        state, _ = start_state(checkpoints, parts.journal, settings.engine.default_capacity)
        engine = Engine(settings.engine, parts.journal, parts.clock, fold=state).start()
        node = StaticNode(parts.journal.epoch)
        # --port goes straight to the server: 0 (any free port) is fine here
        port = {"port": args.port} if args.port is not None else {}
        options = options_from_settings(settings, **port)
        ctx = ServerContext(engine, parts.accounts, options, parts.clock, node)
        ctx.mail = parts.mail
        ctx.readiness.add(JournalWritable(parts.journal.availability))
        with bind_errors_translated(host, port_number, PORT_FLAG):
            trio.run(_serve, ctx, demo, parts, checkpoints)
    finally:
        if engine is not None:
            engine.stop()  # the store flushes the journal first
            trio.run(partial(checkpoint_once, checkpoints, engine, min_records=1))
        parts.close()
    log.info("stopped")
    return 0


async def _serve(
    ctx: Any, demo: list[tuple[str, str, str]], parts: NodeParts, checkpoints: CheckpointStore
) -> None:
    stop = trio.Event()
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


def banner(base: str, demo: list[tuple[str, str, str]]) -> str:
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


if __name__ == "__main__":
    sys.exit(main())
