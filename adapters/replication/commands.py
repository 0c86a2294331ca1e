"""``frontdesk switchover``: ask the primary to hand its role to the caught-up backup.

``frontdesk switchover --node http://127.0.0.1:8081 --login maria`` (the password
from ``--password`` or ``FRONTDESK_PASSWORD``) posts to the node's
``/api/cluster/switchover`` with a manager's credentials and prints the
node's new state. Either node will do: the primary hands its role to the
backup; the backup passes the request on to its primary. Exit 0 when the role
moved, 1 when refused, 2 on a usage or
connection error.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys

import trio

from frontdesk.adapters.client.http import ClientError, http_request


def add_subcommand(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "switchover", help="hand the primary role to the caught-up backup (return to main)"
    )
    parser.add_argument(
        "--node", required=True,
        help="base URL of either node (the backup passes it on to its primary)",
    )
    parser.add_argument("--login", required=True, help="a manager's login")
    parser.add_argument("--password", help="the manager's password (else FRONTDESK_PASSWORD)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    password = args.password or os.environ.get("FRONTDESK_PASSWORD", "")
    token = base64.b64encode(f"{args.login}:{password}".encode()).decode()
    url = args.node.rstrip("/") + "/api/cluster/switchover"

    async def post() -> tuple[int, bytes]:
        response = await http_request(
            "POST", url, headers={"Authorization": f"Basic {token}"}, timeout_s=30
        )
        return response.status, response.body

    try:
        status, body = trio.run(post)
    except (ClientError, OSError) as e:
        print(f"frontdesk switchover: cannot reach {url}: {e}", file=sys.stderr)
        return 2
    try:
        shown = json.dumps(json.loads(body), indent=2)
    except ValueError:
        shown = body.decode(errors="replace")
    print(shown)
    return 0 if status == 200 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdesk")
    add_subcommand(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["switchover", *(argv if argv is not None else sys.argv[1:])])
    return int(args.handler(args))
