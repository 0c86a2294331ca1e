"""Checks made before a process starts serving, each failing in one line (exit 2).

``frontdesk serve`` (single or cluster node) and ``frontdesk witness`` refuse to
start, with a ``ConfigError`` naming the problem and what to do, when

- ``--log-level`` is not a level (checked before anything is opened);
- the address cannot be listened on (in use, not this host's, a privileged port):
  ``check_can_listen`` tries to bind it *before* the journal and the engine are
  opened, so the refusal is the only line on stderr; ``bind_errors_translated``
  turns the same error into the same line if another process took the port in
  between (trio raises it inside an exception group).
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from frontdesk.engine.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# translated when raised while serving: the errors only a bind gives (EACCES is not one)
BIND_ERRNOS = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL})


def log_level(value: str) -> str:
    """``value`` as a logging level name, or a ``ConfigError`` naming the accepted ones."""
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"--log-level: expected one of {', '.join(LOG_LEVELS)}, got {value!r}"
        )
    return level


def cannot_listen(host: str, port: int, exc: OSError, flag: str) -> ConfigError:
    """The one-line refusal for a bind that failed with ``exc``."""
    if exc.errno == errno.EADDRINUSE:
        why = "the address is already in use (another process listens there)"
        todo = f"stop that process or choose another {flag}"
    elif exc.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need privileges)"
        todo = f"choose a port above 1023 with {flag}"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = "the address is not one of this host's"
        todo = "choose an address of this host with --host"
    else:
        why = exc.strerror or str(exc)
        todo = f"check --host and {flag}"
    return ConfigError(f"cannot listen on {host}:{port}: {why}; {todo}")


def check_can_listen(host: str, port: int, flag: str) -> None:
    """Bind (and release) every address ``host:port`` resolves to, as trio's listeners
    will (``SO_REUSEADDR``); port 0 (any free port) always can."""
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: the host name does not resolve ({exc.strerror}); "
            "choose another --host"
        ) from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise cannot_listen(host, port, exc, flag) from None


def _bind_error(exc: BaseException) -> OSError | None:
    if isinstance(exc, OSError) and exc.errno in BIND_ERRNOS:
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _bind_error(inner)
            if found is not None:
                return found
    return None


@contextmanager
def bind_errors_translated(host: str, port: int, flag: str) -> Iterator[None]:
    """A bind error raised inside (alone or in exception groups) as ``cannot_listen``."""
    try:
        yield
    except (OSError, BaseExceptionGroup) as exc:
        found = _bind_error(exc)
        if found is None:
            raise
        raise cannot_listen(host, port, found, flag) from None
