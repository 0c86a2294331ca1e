"""What a cluster node needs to know; ``config``'s cluster section maps onto it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from frontdesk.engine.errors import ConfigError

REPLICATION_PATH = "/ws/replication"


@dataclass(frozen=True)
class ClusterSettings:
    node_name: str
    role: Literal["primary", "backup"]  # the role it starts in; the witness decides after
    advertise_url: str  # how clients and the peer reach this node: http://127.0.0.1:8080
    peer_url: str  # the other node's base URL (or its replication ws:// URL)
    witness_url: str  # ws://127.0.0.1:7070/
    mode: Literal["sync", "async"] = "sync"
    heartbeat_interval_s: float = 0.2
    failover_timeout_s: float = 1.5  # no heartbeat for this long: stand for election
    lease_s: float = 1.2  # the primary's lease; renewed every lease_s / 4
    sync_timeout_s: float = 1.0  # sync mode: how long a write waits for the backup's ack
    secret: str = ""  # shared by both nodes and the witness; required (peer authentication)
    batch_records: int = 512
    # the write watch's bound (write_watch.py); None: max(4 * lease_s, 2 * failover_timeout_s)
    write_stall_s: float | None = None

    @property
    def write_stall_bound_s(self) -> float:
        """How long a primary may accept no write, with nothing in progress, before it
        steps down: long enough for a lapse and its renewal and a promotion's start."""
        if self.write_stall_s is not None:
            return self.write_stall_s
        return max(4 * self.lease_s, 2 * self.failover_timeout_s)

    def __post_init__(self) -> None:
        if not self.secret:
            raise ConfigError(
                "cluster.secret: a cluster node needs the secret shared by both nodes and the "
                "witness (set cluster.secret or FRONTDESK_CLUSTER__SECRET), got none"
            )
        if self.role not in ("primary", "backup"):
            raise ConfigError(f"cluster.role: expected primary or backup, got {self.role!r}")
        if self.mode not in ("sync", "async"):
            raise ConfigError(f"cluster.mode: expected sync or async, got {self.mode!r}")
        if not 0 < self.heartbeat_interval_s < self.failover_timeout_s:
            raise ConfigError(
                f"cluster.heartbeat_interval_s: expected 0 < it < failover_timeout_s "
                f"({self.failover_timeout_s}), got {self.heartbeat_interval_s}"
            )
        if self.write_stall_s is not None and not self.write_stall_s >= 2 * self.lease_s:
            raise ConfigError(
                f"cluster.write_stall_s: expected at least two leases ({2 * self.lease_s} s), "
                f"got {self.write_stall_s}"
            )
        if self.lease_s <= 0 or self.lease_s > self.failover_timeout_s:
            raise ConfigError(
                f"cluster.lease_s: expected 0 < it <= failover_timeout_s "
                f"({self.failover_timeout_s}), got {self.lease_s}"
            )


def replication_url(base: str) -> str:
    """``http://h:p`` -> ``ws://h:p/ws/replication``; a ``ws://`` URL with a path is kept."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ConfigError(f"cluster.peer_url: expected http(s):// or ws(s):// URL, got {base!r}")
    path = parts.path if parts.path not in ("", "/") else REPLICATION_PATH
    if parts.scheme in ("http", "https"):
        path = parts.path.rstrip("/") + REPLICATION_PATH
    return urlunsplit((scheme, parts.netloc, path, "", ""))
