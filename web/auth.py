"""Who is asking: session cookies, HTTP Basic for managers, and the Origin check.

The accounts store (``frontdesk.adapters.accounts.Accounts``) is blocking (argon2,
SQLite): every call into it runs in a worker thread (``trio.to_thread``), so a
password hash never stalls the loop that carries the websockets.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import trio

from frontdesk.adapters.session_tokens import MAX_TOKEN_CHARS

SESSION_COOKIE = "fd_session"
ROLES = ("operator", "manager")


class User(Protocol):
    @property
    def login(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def capacity(self) -> int | None: ...


class AccountsPort(Protocol):
    def verify(self, login: str, password: str) -> Any: ...
    def new_session(self, user: Any) -> str: ...
    def session_user(self, token: str) -> Any: ...
    def end_session(self, token: str) -> object: ...
    def set_password(self, login: str, password: str) -> None: ...


def roles(user: User) -> tuple[str, ...]:
    """The roles ``user`` holds (a set: an account may be operator and manager); an object
    with only a ``role`` holds that one."""
    held = getattr(user, "roles", None)
    return tuple(held) if held else (user.role,)


def has_role(user: User | None, role: str) -> bool:
    return user is not None and role in roles(user)


def home_page(user: User) -> str:
    """The page of the user's own role: the console for an operator (it links to the manager
    view when the user is a manager too), else the manager view."""
    return "/console" if has_role(user, "operator") else "/manager"


def user_json(user: User) -> dict[str, Any]:
    """``role`` is the role of the user's own page (``home_page``), ``roles`` all it holds."""
    return {"id": user.login, "name": user.name or user.login, "role": user.role,
            "roles": list(roles(user))}


async def session_user(accounts: AccountsPort, cookies: Mapping[str, str]) -> User | None:
    token = cookies.get(SESSION_COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    user: User | None = await trio.to_thread.run_sync(accounts.session_user, token)
    return user


async def verify(accounts: AccountsPort, login: str, password: str) -> User | None:
    user: User | None = await trio.to_thread.run_sync(accounts.verify, login, password)
    return user


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(login, password)`` of an ``Authorization: Basic`` header, or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    if not sep:
        return None
    return login, password


async def basic_user(accounts: AccountsPort, header: str | None) -> User | None:
    """The user of an ``Authorization: Basic`` header, or None (unthrottled: the routes
    go through ``frontdesk.web.login_guard`` instead)."""
    credentials = basic_credentials(header)
    return None if credentials is None else await verify(accounts, *credentials)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Is a websocket upgrade (or POST) from ``origin`` allowed?

    The server's own origin always is (the Origin's host[:port] equals the Host
    header); other origins only when listed in ``allowed`` (scheme://host[:port]).
    A request without an Origin header is refused (browsers always send one; the
    Python client sends its base URL).
    """
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    netloc = urlsplit(origin).netloc
    if host and netloc and netloc == host.lower():
        return True
    return origin in {a.rstrip("/").lower() for a in allowed}
