"""``frontdesk``: the command line (console script ``frontdesk = frontdesk.web.cli:main``).

``frontdesk serve`` reads the settings (defaults <- TOML <- environment <- command
line) and runs the node they describe (``frontdesk.web.node.serve_node``): a single node, or
a cluster node when ``cluster.peer_url`` is set (``--role backup --primary URL
--witness URL``). The other subcommands (``user``, ``witness``, ``switchover``, …)
are the adapters' own. Also runnable as ``python -m frontdesk.web.cli``.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from frontdesk.adapters import journal_commands, user_commands, witness
from frontdesk.adapters.replication import commands as cluster_commands
from frontdesk.adapters.startup_checks import log_level
from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import FrontdeskError
from frontdesk.web.node import serve_node


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
    add_cluster_arguments(serve)
    serve.set_defaults(handler=cmd_serve)
    witness.add_subcommand(commands)
    cluster_commands.add_subcommand(commands)
    user_commands.add_subcommand(commands)
    journal_commands.add_subcommand(commands)
    return parser


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    """The cluster flags of ``frontdesk serve``."""
    parser.add_argument("--role", choices=("primary", "backup"), help="role to start in")
    parser.add_argument("--primary", "--peer", dest="peer", help="the other node's base URL")
    parser.add_argument("--witness", help="the witness URL, ws://host:port/")
    parser.add_argument("--node-name", help="this node's name (unique in the cluster)")
    parser.add_argument("--mode", choices=("sync", "async"), help="replication mode")
    parser.add_argument("--advertise-url", help="this node's base URL as the peer reaches it")


def cluster_overrides(args: argparse.Namespace) -> dict[str, Any]:
    pairs = {
        "cluster.role": args.role,
        "cluster.peer_url": args.peer,
        "cluster.witness_url": args.witness,
        "cluster.node_name": args.node_name,
        "cluster.mode": args.mode,
        "cluster.advertise_url": args.advertise_url,
    }
    return {k: v for k, v in pairs.items() if v is not None}


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
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid> dumps every thread's stack
    overrides: dict[str, Any] = {}
    if args.host is not None:
        overrides["server.host"] = args.host
    if args.port is not None and not 0 <= args.port <= 65535:
        print(f"frontdesk: --port: expected 0-65535 (0 = any free port), got {args.port}",
              file=sys.stderr)
        return 2
    if args.port is not None:
        overrides["server.port"] = args.port  # 0: any free port
    if args.data_dir is not None:
        overrides["storage.data_dir"] = args.data_dir
    overrides.update(cluster_overrides(args))
    settings = load_settings(Path(args.config) if args.config else None, os.environ, overrides)
    return serve_node(settings, args.demo)


if __name__ == "__main__":
    sys.exit(main())
