"""``frontdesk user ...``: manage operator and manager accounts from the shell.

The password comes from ``--password-env NAME`` (an environment variable) or is
asked for on the terminal; it is never taken as a plain argument, so it does not
end up in the shell's history or in ``ps``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from frontdesk.adapters.accounts import Accounts
from frontdesk.adapters.node_setup import make_data_dir
from frontdesk.config.loader import load_settings


def add_subcommand(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = subparsers.add_parser("user", help="manage operator and manager accounts")
    user.add_argument("--data-dir", help="where the accounts live (default ./data)")
    user.add_argument("--config", help="a TOML settings file")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="create an account")
    add.add_argument("login")
    add.add_argument("--name", required=True, help="the name visitors and colleagues see")
    add.add_argument("--role", action="append", metavar="ROLE",
                     help="operator or manager; give it twice (or 'operator,manager') for "
                          "both (default: operator)")
    add.add_argument("--capacity", type=int, help="concurrent dialogs (operators; default: global)")
    add.add_argument("--password-env", metavar="VAR", help="read the password from this variable")
    add.set_defaults(handler=_add)

    passwd = actions.add_parser("password", help="set an account's password")
    passwd.add_argument("login")
    passwd.add_argument(
        "--password-env", metavar="VAR", help="read the password from this variable"
    )
    passwd.set_defaults(handler=_password)

    roles = actions.add_parser("roles", help="set an account's roles (operator, manager or both)")
    roles.add_argument("login")
    roles.add_argument("role", nargs="+", help="operator and/or manager")
    roles.set_defaults(handler=_roles)

    listing = actions.add_parser("list", help="list the accounts")
    listing.set_defaults(handler=_list)


def _accounts(args: argparse.Namespace) -> Accounts:
    overrides = {"storage.data_dir": args.data_dir} if args.data_dir else {}
    settings = load_settings(Path(args.config) if args.config else None, os.environ, overrides)
    make_data_dir(Path(settings.storage.data_dir))
    return Accounts.from_settings(settings)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise SystemExit(f"frontdesk user: ${args.password_env} is not set")
        return value
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("frontdesk user: the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    with _accounts(args) as accounts:
        user = accounts.create_user(
            args.login, args.name, _roles_given(args.role or ["operator"]), _read_password(args),
            capacity=args.capacity,
        )
    print(f"created {user.roles_text} {user.login} ({user.name})")
    return 0


def _roles_given(words: list[str]) -> str:
    return ",".join(w.strip() for word in words for w in word.split(","))


def _roles(args: argparse.Namespace) -> int:
    with _accounts(args) as accounts:
        user = accounts.set_roles(args.login, _roles_given(args.role))
    print(f"roles of {user.login}: {user.roles_text}")
    return 0


def _password(args: argparse.Namespace) -> int:
    with _accounts(args) as accounts:
        accounts.set_password(args.login, _read_password(args))
    print(f"password of {args.login} changed")
    return 0


def _list(args: argparse.Namespace) -> int:
    with _accounts(args) as accounts:
        for u in accounts.users():
            capacity = "" if u.capacity is None else f" capacity {u.capacity}"
            sys.stdout.write(f"{u.roles_text:8} {u.login:16} {u.name}{capacity}\n")
    return 0
