"""What the web layer needs to know, in one frozen record built from the settings.

``options_from_settings`` is the only place that reads the configuration tree
(``frontdesk.config.settings.Settings``); everything in ``web/`` takes a ``ServerOptions``,
so the server is built in tests without a configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.config.hours import ALWAYS_OPEN, OpeningHours
from frontdesk.web.login_throttle import ThrottleLimits

if TYPE_CHECKING:
    from frontdesk.config.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # "" = http://host:port
    allowed_origins: tuple[str, ...] = ()  # () = the server's own origin only
    max_frame_bytes: int = 65536
    rate_limit_per_s: float = 20.0
    rate_limit_burst: int = 40
    send_queue_size: int = 1024
    slow_consumer_grace_s: float = 5.0  # a spill past send_queue_size must drain within this
    latest_value_interval_s: float = 1.0  # queue.length / operators / dialog.position
    figures_interval_s: float = 2.0  # the manager's `figures` frame
    time_zone: str = "UTC"  # the days of the manager's reports (IANA name)
    operator_grace_s: float = 60.0
    widget_keep_s: float = 86400.0
    visitor_grace_s: float = 120.0
    resume_wait_s: float = 2.0
    shutdown_timeout_s: float = 5.0
    node_name: str = "node-1"
    nodes: tuple[str, ...] = ()  # other nodes' base URLs (failover)
    visitor_info_fields: tuple[dict[str, str], ...] = ()
    static_dir: Path = STATIC_DIR
    secure_cookies: bool = field(default=False)
    show_monitoring: bool = True  # [supervision]: tell the operator a manager monitors
    # login throttling (settings [login], frontdesk.web.login_guard)
    login_limits: ThrottleLimits = field(default_factory=ThrottleLimits)
    # opening hours ([hours], frontdesk.config.hours) and offline messages ([offline])
    opening_hours: OpeningHours = ALWAYS_OPEN
    offline_notify_address: str = ""
    offline_per_address_per_hour: int = 5
    offline_when_no_operator: bool = True

    def base_url(self, port: int | None = None) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{port if port is not None else self.port}"


def options_from_settings(settings: Settings, **overrides: Any) -> ServerOptions:
    """Project ``frontdesk.config.settings.Settings`` onto ``ServerOptions`` (``overrides`` win)."""
    server, cluster = settings.server, settings.cluster
    values: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "public_url": server.public_url,
        "allowed_origins": tuple(server.allowed_origins),
        "max_frame_bytes": server.max_frame_bytes,
        "rate_limit_per_s": server.rate_limit_per_s,
        "rate_limit_burst": server.rate_limit_burst,
        "send_queue_size": server.send_queue_size,
        "slow_consumer_grace_s": server.slow_consumer_grace_s,
        "latest_value_interval_s": server.latest_value_interval_s,
        "figures_interval_s": server.figures_interval_s,
        "time_zone": server.time_zone,
        "operator_grace_s": server.operator_grace_s,
        "widget_keep_s": server.widget_keep_s,
        "visitor_grace_s": server.visitor_grace_s,
        "resume_wait_s": server.resume_wait_s,
        "shutdown_timeout_s": server.shutdown_timeout_s,
        "node_name": cluster.node_name,
        "nodes": cluster.peers,
        "show_monitoring": settings.supervision.show_monitoring,
        "visitor_info_fields": tuple(
            {"key": f.key, "label": f.label} for f in settings.visitor_info_fields
        ),
    }
    login = settings.login
    values["login_limits"] = ThrottleLimits(
        login.failures_per_account, login.failures_per_address, login.window_s, login.max_tracked
    )
    hours = settings.hours
    values["opening_hours"] = OpeningHours.parse(hours.time_zone, hours.week(),
                                                 hours.closed_days)
    values["offline_notify_address"] = settings.offline.notify_address
    values["offline_per_address_per_hour"] = settings.offline.per_address_per_hour
    values["offline_when_no_operator"] = settings.offline.when_no_operator
    values.update(overrides)
    values["secure_cookies"] = str(values["public_url"]).startswith("https:")
    return ServerOptions(**values)
