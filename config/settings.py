"""The settings tree: frozen dataclasses, defaults with units in their names.

``frontdesk.config.loader.load_settings`` builds a ``Settings`` from these defaults, a
TOML file and ``FRONTDESK_<SECTION>__<KEY>`` environment variables, checking
every value against the field's type and the limits in its metadata
(``limit(...)``). Each section is one TOML table; ``visitor_info_fields`` and
``demo`` are top-level keys. The ``engine`` section is
``frontdesk.engine.settings.EngineSettings`` itself (its ``node_name`` comes from
``cluster.node_name``, its ``restored_operator_grace_s`` from
``server.operator_grace_s``); the ``cluster`` section carries the fields of
``frontdesk.adapters.replication.settings.ClusterSettings`` under the same names.

Derived values are resolved by the loader, so a loaded ``Settings`` is
concrete: ``storage.database_url`` and ``storage.accounts_url`` name real
databases, ``cluster.advertise_url`` is a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from frontdesk.engine.settings import EngineSettings

OperatorStatusName = Literal[
    "connected", "on_break", "training", "phone", "talking_with_supervisor",
    "no_new_dialog", "looking_for_information",
]


def limit(
    low: float | None = None,
    high: float | None = None,
    *,
    above: float | None = None,
    doc: str = "",
) -> dict[str, Any]:
    """Field metadata: ``low <= value <= high``, ``value > above``; ``doc`` for the docs."""
    return {"low": low, "high": high, "above": above, "doc": doc}


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = field(default=8080, metadata=limit(0, 65535))  # 0 = an ephemeral port
    public_url: str = ""  # "" = http://host:port
    allowed_origins: tuple[str, ...] = ()  # () = the server's own origin only
    max_frame_bytes: int = field(default=65536, metadata=limit(1024, 16 * 1024 * 1024))
    rate_limit_per_s: float = field(default=20.0, metadata=limit(above=0))  # frames/s/connection
    rate_limit_burst: int = field(default=40, metadata=limit(1))  # frames
    send_queue_size: int = field(default=1024, metadata=limit(1))  # frames per connection
    # a connection whose queue overflowed must drain within this, else it is closed (1013)
    slow_consumer_grace_s: float = field(default=5.0, metadata=limit(0))
    # "latest value" frames (queue.length, operators): at most one of a kind per this, per socket
    latest_value_interval_s: float = field(default=1.0, metadata=limit(0, 60))
    # the manager view's live figures (a `figures` frame) are sent this often, per socket
    figures_interval_s: float = field(default=2.0, metadata=limit(0.05, 60))
    time_zone: str = "UTC"  # an IANA zone name: the days of the manager's reports
    operator_grace_s: float = field(default=60.0, metadata=limit(0))
    # how long the widget keeps a visitor's dialog in the browser (localStorage) since last use
    widget_keep_s: float = field(default=86400.0, metadata=limit(0))
    # a visitor with no socket this long has their dialog closed (no ghosts holding a slot)
    visitor_grace_s: float = field(default=120.0, metadata=limit(0))
    # the status a console starts in on login; the default takes no new dialogs until the
    # operator picks Connected
    initial_operator_status: OperatorStatusName = "no_new_dialog"
    resume_wait_s: float = field(default=2.0, metadata=limit(0))
    shutdown_timeout_s: float = field(default=5.0, metadata=limit(0))


@dataclass(frozen=True)
class StorageSettings:
    data_dir: Path = Path("data")
    database_url: str = ""  # "" = sqlite:///<data_dir>/journal.sqlite3
    accounts_url: str = ""  # "" = sqlite:///<data_dir>/accounts.sqlite3, or database_url if PG
    node_id: str = ""  # "" = cluster.node_name in a cluster, else an id made in <data_dir>/node-id
    sqlite_synchronous: Literal["full", "normal"] = "full"
    sqlite_busy_timeout_ms: int = field(default=5000, metadata=limit(0, 600_000))

    def journal_url(self) -> str:
        """``database_url``, or the SQLite file in ``data_dir`` when it is ``""``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'journal.sqlite3'}"

    def accounts_db_url(self) -> str:
        """``accounts_url``; if ``""``: the journal's PostgreSQL, or an SQLite file of its own."""
        if self.accounts_url:
            return self.accounts_url
        journal = self.journal_url()
        if journal.startswith("postgres"):
            return journal
        return f"sqlite:///{self.data_dir / 'accounts.sqlite3'}"


@dataclass(frozen=True)
class AccountsSettings:
    session_ttl_s: float = field(default=43200.0, metadata=limit(above=0))
    argon2_time_cost: int = field(default=3, metadata=limit(1, 100))
    argon2_memory_cost_kib: int = field(default=65536, metadata=limit(8, 4 * 1024 * 1024))
    argon2_parallelism: int = field(default=4, metadata=limit(1, 64))


# --- login throttling and the bound on password hashing (frontdesk.web.login_guard) -----------


@dataclass(frozen=True)
class LoginSettings:
    failures_per_account: int = field(default=5, metadata=limit(1, 1_000_000))
    failures_per_address: int = field(default=20, metadata=limit(1, 1_000_000))
    window_s: float = field(default=300.0, metadata=limit(above=0))
    max_concurrent_hashes: int = field(default=2, metadata=limit(1, 256))
    hash_wait_s: float = field(default=2.0, metadata=limit(0, 60))
    max_tracked: int = field(default=10_000, metadata=limit(1, 10_000_000))


# --- end of login throttling ---------------------------------------------------------


@dataclass(frozen=True)
class ClusterSettings:
    role: Literal["primary", "backup"] = "primary"
    node_name: str = "node-1"
    advertise_url: str = ""  # "" = server.public_url, else http://host:port
    peer_url: str = ""  # the other node's base URL; "" = a single node
    witness_url: str = ""  # ws://host:port/ of the witness; "" = none
    mode: Literal["sync", "async"] = "sync"
    heartbeat_interval_s: float = field(default=0.2, metadata=limit(above=0))
    failover_timeout_s: float = field(default=1.5, metadata=limit(above=0))
    lease_s: float = field(default=1.2, metadata=limit(above=0))
    sync_timeout_s: float = field(default=1.0, metadata=limit(above=0))
    secret: str = ""  # shared by both nodes and the witness; required in cluster mode
    batch_records: int = field(default=512, metadata=limit(1, 100_000))
    # Return to main after a failover (web/switch_back.py, adapters/failback.py): may an
    # operator press the banner's button (a manager always may); and whether the node that
    # took over hands the primary role back by itself once main has been caught up for
    # failback_after_s.
    operators_may_switch_back: bool = False
    failback: Literal["manual", "auto"] = "manual"
    failback_after_s: float = field(default=60.0, metadata=limit(above=0))

    @property
    def peers(self) -> tuple[str, ...]:
        """The other nodes' base URLs (one peer today)."""
        return (self.peer_url,) if self.peer_url else ()


@dataclass(frozen=True)
class MailSettings:
    """Outgoing mail (``frontdesk.adapters.mail``): transcripts, offline messages, dialog links.

    ``host = ""`` sends nothing over the network: each mail is written as an ``.eml``
    file under ``<storage.data_dir>/mail/`` (``make demo`` works without a mail server).
    The password is never in the file: ``password_env`` names the environment variable
    that holds it."""

    host: str = ""  # "" = write .eml files to <data_dir>/mail/
    port: int = field(default=587, metadata=limit(1, 65535))
    security: Literal["none", "starttls", "ssl"] = "starttls"
    ca_file: str = ""  # PEM CA file the server's certificate is checked against; "" = system's
    user: str = ""  # "" = no SMTP AUTH
    password_env: str = ""  # the name of the environment variable holding the password
    from_address: str = "frontdesk@localhost"
    reply_to: str = ""  # the team's address; "" = from_address
    timeout_s: float = field(default=30.0, metadata=limit(above=0))
    max_attempts: int = field(default=8, metadata=limit(1, 100))
    retry_initial_s: float = field(default=30.0, metadata=limit(above=0))  # doubled per try
    retry_max_s: float = field(default=3600.0, metadata=limit(above=0))


@dataclass(frozen=True)
class MonitoredSettings:
    """Monitored dialogs: the link mailed to the person opens the widget on ``link_base``
    ("" = this server's demo page, ``<public_url>/demo``) on that dialog, once, within
    ``link_expiry_s``."""

    link_base: str = ""
    link_expiry_s: float = field(default=7 * 86400.0, metadata=limit(above=0))


@dataclass(frozen=True)
class FilesSettings:
    """Uploads into dialogs (``frontdesk.adapters.files``); the type is always sniffed."""

    max_bytes: int = field(default=10 * 1024 * 1024, metadata=limit(1, 1024 * 1024 * 1024))
    max_per_dialog: int = field(default=50, metadata=limit(1, 10_000))
    uploads_per_minute: int = field(default=10, metadata=limit(1, 10_000))  # per uploader
    max_image_pixels: int = field(default=25_000_000, metadata=limit(1, 200_000_000))


@dataclass(frozen=True)
class HoursSettings:
    """Opening hours (``frontdesk.config.hours``): each weekday's ranges on the wall clock of
    ``time_zone`` (``"09:00-12:00, 13:00-17:30"``, ``""`` closed, default all day) and dates
    closed all day. Outside them the widget offers the offline form."""

    time_zone: str = "UTC"  # a tz database name, "Europe/Paris"
    mon: str = "00:00-24:00"
    tue: str = "00:00-24:00"
    wed: str = "00:00-24:00"
    thu: str = "00:00-24:00"
    fri: str = "00:00-24:00"
    sat: str = "00:00-24:00"
    sun: str = "00:00-24:00"
    closed_days: tuple[str, ...] = ()  # dates YYYY-MM-DD

    def week(self) -> dict[str, str]:
        return {d: getattr(self, d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass(frozen=True)
class OfflineSettings:
    """Offline messages (``frontdesk.adapters.offline``): the form the widget shows when
    closed or when no operator takes dialogs."""

    notify_address: str = ""  # where each message is mailed; "" = stored and listed only
    per_address_per_hour: int = field(default=5, metadata=limit(1, 10_000))  # per visitor IP
    # also offer the form within the hours when no operator is Connected with a free slot
    when_no_operator: bool = True


@dataclass(frozen=True)
class SupervisionSettings:
    """What operators are shown of the managers' supervision (issue 16)."""

    # true: the console says "A manager is watching this dialog" while one monitors it;
    # false: the operator is sent nothing about monitoring
    show_monitoring: bool = True


@dataclass(frozen=True)
class SurveySettings:
    """The satisfaction survey a close sends (``frontdesk.engine.close_survey``)."""

    # the title of the survey template a close sends; "" = none
    on_close: str = ""
    # how long after the close the visitor may still answer it: a day by default
    answer_window_s: float = field(default=86400.0, metadata=limit(60, 30 * 86400))


@dataclass(frozen=True)
class VisitorInfoField:
    """A piece of visitor information the host page may pass, shown in the console."""

    key: str
    label: str


DEFAULT_VISITOR_INFO_FIELDS = (
    VisitorInfoField("email", "E-mail"),
    VisitorInfoField("page", "Page"),
)


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = ServerSettings()
    storage: StorageSettings = StorageSettings()
    engine: EngineSettings = field(default_factory=EngineSettings)
    accounts: AccountsSettings = AccountsSettings()
    cluster: ClusterSettings = ClusterSettings()
    login: LoginSettings = LoginSettings()
    mail: MailSettings = MailSettings()
    monitored: MonitoredSettings = MonitoredSettings()
    files: FilesSettings = FilesSettings()
    hours: HoursSettings = HoursSettings()
    offline: OfflineSettings = OfflineSettings()
    supervision: SupervisionSettings = SupervisionSettings()
    surveys: SurveySettings = SurveySettings()
    visitor_info_fields: tuple[VisitorInfoField, ...] = DEFAULT_VISITOR_INFO_FIELDS
    demo: bool = False


SECTIONS: dict[str, type[Any]] = {
    "server": ServerSettings,
    "storage": StorageSettings,
    "engine": EngineSettings,
    "accounts": AccountsSettings,
    "cluster": ClusterSettings,
    "login": LoginSettings,
    "mail": MailSettings,
    "monitored": MonitoredSettings,
    "files": FilesSettings,
    "hours": HoursSettings,
    "offline": OfflineSettings,
    "supervision": SupervisionSettings,
    "surveys": SurveySettings,
}
TOP_LEVEL = ("visitor_info_fields", "demo")

# EngineSettings is the engine's own record (no metadata): its limits live here.
ENGINE_LIMITS: dict[str, dict[str, Any]] = {
    "default_capacity": limit(0, 1000),
    "looking_for_info_reminder_delay_s": limit(above=0),
    "looking_for_info_reminder_interval_s": limit(above=0),
    "visitor_inactivity_timeout_s": limit(0),
    "reply_timeout_s": limit(0),
    "transfer_timeout_s": limit(above=0),
    "position_interval_s": limit(0, 60),
    "max_restarts": limit(0),
    "max_restarts_within_s": limit(above=0),
}
ENGINE_FROM_CLUSTER = ("node_name",)  # EngineSettings fields set from [cluster], not [engine]
# EngineSettings fields set from [server], not [engine]: engine field -> server field
ENGINE_FROM_SERVER = {
    "restored_operator_grace_s": "operator_grace_s",
    "initial_operator_status": "initial_operator_status",
}
# EngineSettings fields set from [surveys], not [engine]: engine field -> surveys field
ENGINE_FROM_SURVEYS = {
    "survey_on_close": "on_close",
    "survey_answer_window_s": "answer_window_s",
    "close_surveys": "",  # the board the node sets (engine/close_survey_board.py): no setting
}
