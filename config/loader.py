"""Loading the settings: defaults <- TOML file <- environment <- command line.

Every value is checked where it enters, against the field's type (from the
dataclass annotations of ``config.settings``) and its limits, and a bad one is
refused with a ``ConfigError`` naming the key, what was expected, what came
and where it came from::

    server.port: expected an integer 1-65535, got "abc" (from FRONTDESK_SERVER__PORT)

Unknown keys are errors too, in the file and in the environment (any
``FRONTDESK_<SECTION>__<KEY>`` must name a real setting; ``FRONTDESK_SERVER_PORT``
with one underscore is refused with a hint). Other ``FRONTDESK_*`` variables
without ``__`` (such as ``FRONTDESK_CONFIG``, the default file path) are not
settings and are left alone.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from config.settings import (
    ENGINE_FROM_CLUSTER,
    ENGINE_LIMITS,
    SECTIONS,
    TOP_LEVEL,
    Settings,
    VisitorInfoField,
)
from engine.errors import ConfigError

ENV_PREFIX = "FRONTDESK_"
CONFIG_ENV = "FRONTDESK_CONFIG"  # the config file when load_settings gets no path


@dataclass(frozen=True)
class _Given:
    raw: object
    source: str  # a file path, an environment variable, "the command line"
    text: bool  # a string to parse (environment), not a typed TOML value


@dataclass(frozen=True)
class _Spec:
    key: str  # "server.port" or "demo"
    hint: Any
    meta: Mapping[str, Any]


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build the settings; ``overrides`` maps ``"server.port"``-style keys (command line)."""
    specs = _specs()
    given: dict[str, _Given] = {}
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    if path is not None:
        _from_file(path, specs, given)
    _from_environ(environ, specs, given)
    for key, raw in (overrides or {}).items():
        _known(key, specs, "the command line")
        given[key] = _Given(raw, "the command line", isinstance(raw, str))
    values = {key: _convert(specs[key], g) for key, g in given.items()}
    for key, value in values.items():
        _check_value(key, value, given[key].source)
    return _build(values, given)


def setting_specs() -> dict[str, tuple[Any, Any, str]]:
    """Every key with ``(type hint, default, description of accepted values)``; for docs/tests."""
    defaults = Settings()
    out: dict[str, tuple[Any, Any, str]] = {}
    for key, spec in _specs().items():
        section, _, name = key.rpartition(".")
        holder = getattr(defaults, section) if section else defaults
        check = _CHECKS.get(key)
        out[key] = (spec.hint, getattr(holder, name), check[1] if check else _expected(spec))
    return out


# -- sources ----------------------------------------------------------------------


def _specs() -> dict[str, _Spec]:
    specs: dict[str, _Spec] = {}
    for section, cls in SECTIONS.items():
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if cls is SECTIONS["engine"] and f.name in ENGINE_FROM_CLUSTER:
                continue
            meta = ENGINE_LIMITS.get(f.name, {}) if section == "engine" else f.metadata
            specs[f"{section}.{f.name}"] = _Spec(f"{section}.{f.name}", hints[f.name], meta)
    top_hints = get_type_hints(Settings)
    for name in TOP_LEVEL:
        specs[name] = _Spec(name, top_hints[name], {})
    return specs


def _known(key: str, specs: Mapping[str, _Spec], source: str) -> None:
    if key in specs:
        return
    section, _, name = key.rpartition(".")
    if section == "engine" and name in ENGINE_FROM_CLUSTER:
        raise ConfigError(f"{key}: set cluster.{name} instead (from {source})")
    if section and section not in SECTIONS:
        raise ConfigError(
            f"unknown section {section!r} (from {source}): expected one of {', '.join(SECTIONS)}"
        )
    siblings = [k.rpartition(".")[2] for k in specs if k.rpartition(".")[0] == section]
    where = f"in [{section}]" if section else "or a section " + " ".join(f"[{s}]" for s in SECTIONS)
    raise ConfigError(
        f"unknown setting {key} (from {source}): expected one of {', '.join(siblings)} {where}"
    )


def _from_file(path: Path, specs: Mapping[str, _Spec], given: dict[str, _Given]) -> None:
    source = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path}: expected a TOML file, found nothing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
    for name, value in document.items():
        if name in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{name}: expected a table [{name}], got {_show(value)} (from {source})"
                )
            for key, inner in value.items():
                _known(f"{name}.{key}", specs, source)
                given[f"{name}.{key}"] = _Given(inner, source, False)
        else:
            if isinstance(value, dict) and name not in specs:
                _known(f"{name}.{next(iter(value), '')}", specs, source)  # unknown section
            _known(name, specs, source)
            given[name] = _Given(value, source, False)


def _from_environ(
    environ: Mapping[str, str], specs: Mapping[str, _Spec], given: dict[str, _Given]
) -> None:
    for variable in sorted(environ):
        if not variable.startswith(ENV_PREFIX) or variable == CONFIG_ENV:
            continue
        rest = variable[len(ENV_PREFIX) :].lower()
        if "__" in rest:
            section, _, name = rest.partition("__")
            key = f"{section}.{name}"
        elif rest in TOP_LEVEL:
            key = rest
        elif any(rest.startswith(f"{section}_") for section in SECTIONS):
            section = next(s for s in SECTIONS if rest.startswith(f"{s}_"))
            raise ConfigError(
                f"{variable} is not a setting: a section and its key are joined by two "
                f"underscores (FRONTDESK_{section.upper()}__{rest[len(section) + 1 :].upper()})"
            )
        else:
            continue  # FRONTDESK_CONFIG and the like: not a setting
        _known(key, specs, variable)
        given[key] = _Given(environ[variable], variable, True)


# -- conversion ----------------------------------------------------------------------


def _expected(spec: _Spec) -> str:
    hint, meta = spec.hint, spec.meta
    bounds = ""
    low, high, above = meta.get("low"), meta.get("high"), meta.get("above")
    if low is not None and high is not None:
        bounds = f" {_num(low)}-{_num(high)}"
    elif low is not None:
        bounds = f" >= {_num(low)}"
    elif above is not None:
        bounds = f" > {_num(above)}"
    if hint is bool:
        return "true or false"
    if hint is int:
        return f"an integer{bounds}"
    if hint is float:
        return f"a number{bounds}"
    if hint is str:
        return "a string"
    if hint is Path:
        return "a directory path"
    if get_origin(hint) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(hint))
    if get_args(hint) == (str, ...):
        return "a list of strings (environment: comma-separated)"
    if get_args(hint) == (VisitorInfoField, ...):
        return 'a list of tables {key = "...", label = "..."}'
    raise AssertionError(f"no conversion for {spec.key}: {hint!r}")  # a programming error


def _convert(spec: _Spec, given: _Given) -> object:
    try:
        value = _parse(spec.hint, given.raw, given.text)
    except (ValueError, TypeError, tomllib.TOMLDecodeError):
        value = None
    if value is None or not _in_limits(value, spec.meta):
        raise ConfigError(
            f"{spec.key}: expected {_expected(spec)}, got {_show(given.raw)} (from {given.source})"
        )
    return value


def _parse(hint: Any, raw: object, text: bool) -> object:
    if hint is bool:
        if text and isinstance(raw, str):
            return {"true": True, "1": True, "yes": True, "on": True, "false": False,
                    "0": False, "no": False, "off": False}.get(raw.strip().lower())  # fmt: skip
        return raw if isinstance(raw, bool) else None
    if hint is int:
        if text and isinstance(raw, str):
            return int(raw.strip())
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if hint is float:
        number = float(raw.strip()) if text and isinstance(raw, str) else raw
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None
        return float(number) if math.isfinite(number) else None
    if hint is str:
        return raw if isinstance(raw, str) else None
    if hint is Path:
        return Path(raw) if isinstance(raw, str) and raw.strip() else None
    if get_origin(hint) is Literal:
        return raw if raw in get_args(hint) else None
    if text and isinstance(raw, str):
        stripped = raw.strip()
        if stripped.startswith("["):
            raw = tomllib.loads(f"v = {stripped}")["v"]
        elif get_args(hint) == (str, ...):
            return tuple(part.strip() for part in stripped.split(",") if part.strip())
    if not isinstance(raw, list):
        return None
    if get_args(hint) == (str, ...):
        return tuple(raw) if all(isinstance(x, str) for x in raw) else None
    fields = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"key", "label"}:
            return None
        if not all(isinstance(v, str) and v.strip() for v in item.values()):
            return None
        fields.append(VisitorInfoField(item["key"], item["label"]))
    return tuple(fields)


def _in_limits(value: object, meta: Mapping[str, Any]) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    low, high, above = meta.get("low"), meta.get("high"), meta.get("above")
    return not (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _show(raw: object) -> str:
    try:
        shown = json.dumps(raw, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(raw)
    return shown if len(shown) <= 80 else shown[:77] + "..."


# -- checks that need more than a type -------------------------------------------------


def _url(*schemes: str, path: bool = True) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        parts = urlsplit(value)
        return (
            parts.scheme in schemes
            and bool(parts.netloc)
            and (path or parts.path in ("", "/"))
            and not parts.query
        )

    return ok


_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "server.host": (lambda v: bool(v.strip()), "a host name or address"),
    "server.public_url": (lambda v: not v or _url("http", "https")(v), 'an http(s):// URL or ""'),
    "server.allowed_origins": (
        lambda v: all(_url("http", "https", path=False)(o) for o in v),
        "origins like https://www.example.com (scheme://host[:port], no path)",
    ),
    "storage.database_url": (
        lambda v: not v or v.startswith(("sqlite:///", "postgresql://", "postgres://")),
        'sqlite:///PATH, postgresql://user:password@host/dbname or ""',
    ),
    "storage.accounts_url": (
        lambda v: not v or v.startswith(("sqlite:///", "postgresql://", "postgres://")),
        'sqlite:///PATH, postgresql://user:password@host/dbname or ""',
    ),
    "cluster.node_name": (
        lambda v: bool(v) and not any(c.isspace() for c in v),
        "a name without spaces",
    ),
    "cluster.advertise_url": (
        lambda v: not v or _url("http", "https")(v),
        'an http(s):// URL or ""',
    ),
    "cluster.peer_url": (
        lambda v: not v or _url("http", "https", "ws", "wss")(v),
        'an http(s):// or ws(s):// URL or ""',
    ),
    "cluster.witness_url": (
        lambda v: not v or _url("http", "https", "ws", "wss")(v),
        'a ws(s):// URL or ""',
    ),
    "visitor_info_fields": (
        lambda v: (
            len({f.key for f in v}) == len(v)
            and all(f.key.replace("_", "").replace("-", "").isalnum() for f in v)
        ),
        "fields with distinct keys made of letters, digits, _ and -",
    ),
}


def _check_value(key: str, value: object, source: str) -> None:
    check = _CHECKS.get(key)
    if check is not None and not check[0](value):
        raise ConfigError(f"{key}: expected {check[1]}, got {_show_value(value)} (from {source})")


def _show_value(value: object) -> str:
    if isinstance(value, tuple):
        return _show([vars(v) if isinstance(v, VisitorInfoField) else v for v in value])
    return _show(value)


def _build(values: Mapping[str, object], given: Mapping[str, _Given]) -> Settings:
    def section(name: str) -> dict[str, Any]:
        return {k.partition(".")[2]: v for k, v in values.items() if k.partition(".")[0] == name}

    def source(key: str) -> str:
        return given[key].source if key in given else "default"

    parts = {name: cls(**section(name)) for name, cls in SECTIONS.items()}
    cluster = parts["cluster"]
    server = parts["server"]
    storage = parts["storage"]
    if not cluster.heartbeat_interval_s < cluster.failover_timeout_s:
        raise ConfigError(
            f"cluster.heartbeat_interval_s: expected less than cluster.failover_timeout_s "
            f"({cluster.failover_timeout_s}), got {cluster.heartbeat_interval_s} "
            f"(from {source('cluster.heartbeat_interval_s')})"
        )
    if not cluster.lease_s <= cluster.failover_timeout_s:
        raise ConfigError(
            f"cluster.lease_s: expected at most cluster.failover_timeout_s "
            f"({cluster.failover_timeout_s}), got {cluster.lease_s} "
            f"(from {source('cluster.lease_s')})"
        )
    accounts = parts["accounts"]
    if accounts.argon2_memory_cost_kib < 8 * accounts.argon2_parallelism:
        raise ConfigError(
            f"accounts.argon2_memory_cost_kib: expected at least 8 x accounts.argon2_parallelism "
            f"({8 * accounts.argon2_parallelism}), got {accounts.argon2_memory_cost_kib} "
            f"(from {source('accounts.argon2_memory_cost_kib')})"
        )
    if cluster.role == "backup" and not cluster.peer_url:
        raise ConfigError(
            'cluster.peer_url: expected the primary\'s URL when cluster.role is backup, got "" '
            f"(from {source('cluster.peer_url')})"
        )
    database_url, accounts_url = storage.journal_url(), storage.accounts_db_url()
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::", "") else server.host
    if ":" in host:
        host = f"[{host}]"
    # With port 0 the port is known only once bound: no advertise URL can be derived here.
    derived = f"http://{host}:{server.port}" if server.port else ""
    advertise = cluster.advertise_url or server.public_url or derived
    top: dict[str, Any] = {name: values[name] for name in TOP_LEVEL if name in values}
    return Settings(
        server=server,
        storage=dataclasses.replace(storage, database_url=database_url, accounts_url=accounts_url),
        engine=dataclasses.replace(parts["engine"], node_name=cluster.node_name),
        accounts=accounts,
        cluster=dataclasses.replace(cluster, advertise_url=advertise.rstrip("/")),
        **top,
    )
