"""load_settings: defaults <- TOML file <- environment <- command line, and every refusal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from frontdesk.config.loader import load_settings
from frontdesk.config.settings import Settings, VisitorInfoField
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.settings import EngineSettings


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_concrete_and_frozen() -> None:
    s = load_settings(None, {})
    assert s.server.port == 8080
    assert s.storage.data_dir == Path("data")
    assert s.storage.database_url == "sqlite:///data/journal.sqlite3"
    assert s.storage.accounts_url == "sqlite:///data/accounts.sqlite3"
    assert s.storage.sqlite_synchronous == "full"
    # the engine's grace for restored operators is the server's grace for closed sockets,
    # its initial operator status the server's (which takes no new dialogs)
    assert s.engine == dataclasses.replace(
        EngineSettings(), restored_operator_grace_s=60.0, initial_operator_status="no_new_dialog"
    )
    assert s.cluster.advertise_url == "http://127.0.0.1:8080"
    assert s.cluster.peers == ()
    assert s.visitor_info_fields[0] == VisitorInfoField("email", "E-mail")
    assert s.demo is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.server.port = 1  # type: ignore[misc]


def test_a_file_then_the_environment_then_the_command_line(tmp_path: Path) -> None:
    path = toml(
        tmp_path,
        """
        demo = true
        visitor_info_fields = [{ key = "order", label = "Order number" }]
        [server]
        port = 9000
        host = "0.0.0.0"
        allowed_origins = ["https://shop.example", "http://127.0.0.1:3000"]
        rate_limit_per_s = 5
        [storage]
        data_dir = "/srv/frontdesk"
        sqlite_synchronous = "normal"
        [engine]
        default_capacity = 5
        allow_transfer_over_capacity = true
        dispatcher = "threads"
        [cluster]
        node_name = "main"
        peer_url = "http://127.0.0.1:8081"
        """,
    )
    environ = {
        "FRONTDESK_SERVER__PORT": "9100",
        "FRONTDESK_ENGINE__VISITOR_INACTIVITY_TIMEOUT_S": "0",
        "FRONTDESK_CONFIG": "/does/not/matter/when/a/path/is/given.toml",
        "FRONTDESK_TEST_SOMETHING": "not a setting, ignored",
        "PATH": "/usr/bin",
    }
    s = load_settings(path, environ, overrides={"server.port": 9200, "demo": "false"})
    assert s.server.port == 9200
    assert s.server.host == "0.0.0.0"
    assert s.server.allowed_origins == ("https://shop.example", "http://127.0.0.1:3000")
    assert s.server.rate_limit_per_s == 5.0 and isinstance(s.server.rate_limit_per_s, float)
    assert s.storage.database_url == "sqlite:////srv/frontdesk/journal.sqlite3"
    assert s.storage.sqlite_synchronous == "normal"
    assert s.engine.default_capacity == 5
    assert s.engine.allow_transfer_over_capacity is True
    assert s.engine.dispatcher == "threads"
    assert s.engine.visitor_inactivity_timeout_s == 0.0
    assert s.engine.node_name == "main"  # from [cluster]
    assert s.cluster.peers == ("http://127.0.0.1:8081",)
    assert s.cluster.advertise_url == "http://127.0.0.1:9200"  # 0.0.0.0 is not reachable
    assert s.visitor_info_fields == (VisitorInfoField("order", "Order number"),)
    assert s.demo is False


def test_environment_values_are_parsed_by_type() -> None:
    s = load_settings(
        None,
        {
            "FRONTDESK_DEMO": "yes",
            "FRONTDESK_SERVER__ALLOWED_ORIGINS": "https://a.example, https://b.example:8443",
            "FRONTDESK_SERVER__PUBLIC_URL": "https://chat.example/",
            "FRONTDESK_CLUSTER__MODE": "async",
            "FRONTDESK_CLUSTER__LEASE_S": "1",
            "FRONTDESK_VISITOR_INFO_FIELDS": '[{key = "email", label = "Mail"}]',
            "FRONTDESK_STORAGE__DATABASE_URL": "postgresql://fd:pw@127.0.0.1/frontdesk",
        },
    )
    assert s.demo is True
    assert s.server.allowed_origins == ("https://a.example", "https://b.example:8443")
    assert s.cluster.mode == "async"
    assert s.cluster.lease_s == 1.0
    assert s.cluster.advertise_url == "https://chat.example"
    assert s.visitor_info_fields == (VisitorInfoField("email", "Mail"),)
    assert s.storage.accounts_url == "postgresql://fd:pw@127.0.0.1/frontdesk"


def test_the_config_file_can_come_from_frontdesk_config(tmp_path: Path) -> None:
    path = toml(tmp_path, "[server]\nport = 7000\n")
    assert load_settings(None, {"FRONTDESK_CONFIG": str(path)}).server.port == 7000


BAD_ENVIRONMENT = [
    (
        {"FRONTDESK_SERVER__PORT": "abc"},
        'server.port: expected an integer 0-65535, got "abc" (from FRONTDESK_SERVER__PORT)',
    ),
    (
        {"FRONTDESK_SERVER__PORT": "70000"},
        'server.port: expected an integer 0-65535, got "70000" (from FRONTDESK_SERVER__PORT)',
    ),
    (
        {"FRONTDESK_SERVER_PORT": "9000"},
        "FRONTDESK_SERVER_PORT is not a setting: a section and its key are joined by two "
        "underscores (FRONTDESK_SERVER__PORT)",
    ),
    (
        {"FRONTDESK_SERVER__PROT": "9000"},
        "unknown setting server.prot (from FRONTDESK_SERVER__PROT): expected one of host, port,",
    ),
    (
        {"FRONTDESK_SERVE__PORT": "9000"},
        "unknown section 'serve' (from FRONTDESK_SERVE__PORT): expected one of server, storage,",
    ),
    ({"FRONTDESK_DEMO": "maybe"}, 'demo: expected true or false, got "maybe"'),
    (
        {"FRONTDESK_STORAGE__SQLITE_SYNCHRONOUS": "off"},
        'storage.sqlite_synchronous: expected one of full, normal, got "off"',
    ),
    (
        {"FRONTDESK_ENGINE__TRANSFER_TIMEOUT_S": "nan"},
        'engine.transfer_timeout_s: expected a number > 0, got "nan"',
    ),
    (
        {"FRONTDESK_ENGINE__TRANSFER_TIMEOUT_S": "0"},
        'engine.transfer_timeout_s: expected a number > 0, got "0"',
    ),
    (
        {"FRONTDESK_ENGINE__DISPATCHER": "fibers"},
        'engine.dispatcher: expected one of shared, threads, got "fibers"',
    ),
    (
        {"FRONTDESK_ENGINE__NODE_NAME": "x"},
        "engine.node_name: set cluster.node_name instead (from FRONTDESK_ENGINE__NODE_NAME)",
    ),
    (
        {"FRONTDESK_VISITOR_INFO_FIELDS": "[{key = 'a'}]"},
        'visitor_info_fields: expected a list of tables {key = "...", label = "..."}',
    ),
    (
        {"FRONTDESK_VISITOR_INFO_FIELDS": "[{key='a', label='A'}, {key='a', label='B'}]"},
        "visitor_info_fields: expected fields with distinct keys",
    ),
    (
        {"FRONTDESK_SERVER__ALLOWED_ORIGINS": "https://a.example/path"},
        "server.allowed_origins: expected origins like https://www.example.com "
        '(scheme://host[:port], no path), got ["https://a.example/path"]',
    ),
    (
        {"FRONTDESK_STORAGE__DATABASE_URL": "mysql://x/y"},
        "storage.database_url: expected sqlite:///PATH, postgresql://",
    ),
    (
        {"FRONTDESK_CLUSTER__ROLE": "backup"},
        "cluster.peer_url: expected the primary's URL when cluster.role is backup",
    ),
    (
        {"FRONTDESK_CLUSTER__HEARTBEAT_INTERVAL_S": "2"},
        "cluster.heartbeat_interval_s: expected less than cluster.failover_timeout_s (1.5), "
        "got 2.0 (from FRONTDESK_CLUSTER__HEARTBEAT_INTERVAL_S)",
    ),
    (
        {"FRONTDESK_CLUSTER__LEASE_S": "3"},
        "cluster.lease_s: expected at most cluster.failover_timeout_s (1.5), got 3.0",
    ),
    (
        {"FRONTDESK_CLUSTER__NODE_NAME": "node one"},
        'cluster.node_name: expected a name without spaces, got "node one"',
    ),
    (
        {"FRONTDESK_SERVER__TIME_ZONE": "Mars/Olympus"},
        'server.time_zone: expected an IANA time zone name like "Europe/Paris" or "UTC", '
        'got "Mars/Olympus"',
    ),
]


@pytest.mark.parametrize(("environ", "message"), BAD_ENVIRONMENT)
def test_a_bad_environment_value_is_refused_naming_it(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ)
    assert message in str(caught.value)


BAD_FILES = [
    ('[server]\nport = "8080"\n', 'server.port: expected an integer 0-65535, got "8080" (from '),
    ("[server]\nport = true\n", "server.port: expected an integer 0-65535, got true"),
    ("[server]\nport = -1\n", "server.port: expected an integer 0-65535, got -1"),
    ("[server]\nprot = 1\n", "unknown setting server.prot (from "),
    ("[servers]\nport = 1\n", "unknown section 'servers'"),
    ("colour = 'red'\n", "unknown setting colour (from "),
    ("server = 8080\n", "server: expected a table [server], got 8080"),
    ("[engine]\ndefault_capacity = -1\n", "engine.default_capacity: expected an integer 0-1000"),
    ("[engine]\nnode_name = 'x'\n", "engine.node_name: set cluster.node_name instead"),
    ("[server]\nallowed_origins = 'https://a.example'\n", "expected a list of strings"),
    ("[server]\nallowed_origins = [1]\n", "server.allowed_origins: expected a list of strings"),
    ("[storage]\ndata_dir = ''\n", 'storage.data_dir: expected a directory path, got ""'),
    ("[server]\nport = \n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_a_bad_file_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = toml(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_file_and_a_bad_override_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file .*nothing\.toml: expected a TOML file"):
        load_settings(tmp_path / "nothing.toml", {})
    with pytest.raises(ConfigError, match=r"server\.port: .* got -1 \(from the command line\)"):
        load_settings(None, {}, overrides={"server.port": -1})
    with pytest.raises(ConfigError, match=r"unknown setting server\.bogus"):
        load_settings(None, {}, overrides={"server.bogus": 1})


def test_settings_can_be_built_directly_for_tests() -> None:
    s = Settings()
    assert s.server.port == 8080
    assert s.storage.database_url == ""  # not resolved: only load_settings resolves
    assert s.storage.journal_url() == "sqlite:///data/journal.sqlite3"
    assert s.storage.accounts_db_url() == "sqlite:///data/accounts.sqlite3"


def test_the_engine_takes_its_restored_operator_grace_from_the_server_section() -> None:
    s = load_settings(None, {"FRONTDESK_SERVER__OPERATOR_GRACE_S": "3"})
    assert s.engine.restored_operator_grace_s == 3.0
    with pytest.raises(ConfigError, match=r"set server\.operator_grace_s instead"):
        load_settings(None, {"FRONTDESK_ENGINE__RESTORED_OPERATOR_GRACE_S": "3"})
