"""The keyword options every client takes, as a type (``**options: Unpack[ClientOptions]``),
so that editors and ``mypy --strict`` know them on each role's constructor."""

from __future__ import annotations

from typing import TypedDict

from frontdesk.adapters.client.reconnect import Backoff


class ClientOptions(TypedDict, total=False):
    """What ``VisitorClient(urls, **options)`` and the other roles accept besides the URLs
    (docs/client.md, "Running a client")."""

    session: str | None  # an ``fd_session`` token (``logged_in`` passes it)
    origin: str | None  # default: the URL's own origin
    reconnect: bool  # default True
    backoff: Backoff | None  # default Backoff(base_s=0.05, max_s=5.0)
    max_frame_bytes: int  # the largest frame accepted (default 1 MiB)
    ping_interval_s: float | None  # default 5.0; None: no keepalive
    ping_timeout_s: float  # default 5.0
    connect_timeout_s: float  # default 10.0: TCP connect, handshake and hello, each
