"""The witness: a tiny lease service that casts the third vote of a two-node cluster.

Run it anywhere both nodes can reach: ``frontdesk witness --port 7070``
(or ``python -m frontdesk.adapters.witness --port 7070``). See docs/failover.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import trio

from frontdesk.adapters.startup_checks import bind_errors_translated, check_can_listen
from frontdesk.adapters.witness.book import Lease as Lease
from frontdesk.adapters.witness.book import WitnessError as WitnessError
from frontdesk.adapters.witness.client import WitnessClient as WitnessClient
from frontdesk.adapters.witness.client import WitnessUnavailableError as WitnessUnavailableError
from frontdesk.adapters.witness.server import serve as serve
from frontdesk.engine.errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7070, help="port (0: any free port)")
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("./data/witness.json"),
        help="file that keeps the lease book across restarts",
    )
    parser.add_argument(
        "--secret-file",
        type=Path,
        help=f"file holding the cluster secret (default: the environment's {SECRET_ENV})",
    )


SECRET_ENV = "FRONTDESK_CLUSTER__SECRET"


def cluster_secret(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> str:
    """The cluster secret from ``--secret-file`` or ``FRONTDESK_CLUSTER__SECRET``."""
    env = os.environ if environ is None else environ
    if args.secret_file is not None:
        try:
            secret = str(args.secret_file.read_text(encoding="utf-8")).strip()
        except OSError as e:
            raise WitnessError(f"--secret-file: cannot read {args.secret_file}: {e}") from None
    else:
        secret = env.get(SECRET_ENV, "")
    if not secret:
        raise WitnessError(
            "cluster.secret: the witness needs the secret shared by both nodes "
            f"(set {SECRET_ENV} or pass --secret-file), got none"
        )
    return secret


def add_subcommand(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``frontdesk witness``; the parsed namespace's ``handler(args)`` runs it."""
    parser = subparsers.add_parser("witness", help="run the failover witness (lease service)")
    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    try:
        secret = cluster_secret(args)
    except WitnessError as e:
        print(f"frontdesk witness: {e}", file=sys.stderr)
        return 2

    try:
        check_can_listen(args.host, args.port, "--port")
    except ConfigError as e:
        print(f"frontdesk witness: {e}", file=sys.stderr)
        return 2

    async def main_task() -> None:
        async with trio.open_nursery() as nursery:
            port = await nursery.start(serve, args.state, args.host, args.port, secret)
            print(f"witness listening on ws://{args.host}:{port}/ (state {args.state})", flush=True)

    try:
        with bind_errors_translated(args.host, args.port, "--port"):
            trio.run(main_task)
    except ConfigError as e:
        print(f"frontdesk witness: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except WitnessError as e:
        print(f"frontdesk witness: {e}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdesk witness")
    add_arguments(parser)
    return run(parser.parse_args(argv))
