"""Checking a setting's value: its conversion from what came (a TOML value, an
environment string, a command-line value) to the field's type within its limits,
the checks that need more than a type (URLs, names), and the checks that span
several settings. Every refusal is a ``ConfigError`` naming the key, what was
expected, what came and where it came from. ``frontdesk.config.loader`` gathers the values
from their sources and calls these.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from frontdesk.config.hours import WEEKDAYS, HoursError, parse_day, parse_ranges, parse_zone
from frontdesk.config.settings import VisitorInfoField
from frontdesk.engine.errors import ConfigError


@dataclass(frozen=True)
class Given:
    """A value as it came from a source, before conversion."""

    raw: object
    source: str  # a file path, an environment variable, "the command line"
    text: bool  # a string to parse (environment), not a typed TOML value


@dataclass(frozen=True)
class Spec:
    """A setting: its key, the field's type hint and its limits (low, high, above)."""

    key: str  # "server.port" or "demo"
    hint: Any
    meta: Mapping[str, Any]


# -- conversion ----------------------------------------------------------------------


def expected(spec: Spec) -> str:
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


def convert(spec: Spec, given: Given) -> object:
    try:
        value = _parse(spec.hint, given.raw, given.text)
    except (ValueError, TypeError, tomllib.TOMLDecodeError):
        value = None
    if value is None or not _in_limits(value, spec.meta):
        raise ConfigError(
            f"{spec.key}: expected {expected(spec)}, got {show(given.raw)} (from {given.source})"
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


def show(raw: object) -> str:
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


# an address as frontdesk accepts it: local@domain, no spaces, no display name, no control
# characters, a domain of letters, digits and hyphens in dot-separated labels ("localhost"
# alone is accepted for tests and demos); at most 254 characters (RFC 5321)
ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


def is_address(value: str) -> bool:
    """Whether ``value`` is an e-mail address frontdesk will send to (see ``ADDRESS``)."""
    return len(value) <= 254 and ADDRESS.fullmatch(value) is not None


def is_time_zone(value: str) -> bool:
    """Whether ``value`` names a time zone of the system's database (``zoneinfo``)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "server.host": (lambda v: bool(v.strip()), "a host name or address"),
    "server.public_url": (lambda v: not v or _url("http", "https")(v), 'an http(s):// URL or ""'),
    "monitored.link_base": (lambda v: not v or _url("http", "https")(v),
                            'an http(s):// URL or ""'),
    "server.time_zone": (is_time_zone, 'an IANA time zone name like "Europe/Paris" or "UTC"'),
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
    "mail.host": (lambda v: not any(c.isspace() or c in "/:@" for c in v),
                  'a host name or address without a scheme or port, or ""'),
    "mail.from_address": (is_address, "an e-mail address like help@example.com"),
    "mail.reply_to": (lambda v: not v or is_address(v),
                      'an e-mail address like team@example.com or ""'),
    "mail.password_env": (lambda v: not v or v.replace("_", "").isalnum(),
                          'the name of an environment variable (letters, digits, _) or ""'),
    "visitor_info_fields": (
        lambda v: (
            len({f.key for f in v}) == len(v)
            and all(f.key.replace("_", "").replace("-", "").isalnum() for f in v)
        ),
        "fields with distinct keys made of letters, digits, _ and -",
    ),
}


def _reads(parse: Callable[[str], object]) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            parse(value)
        except HoursError:
            return False
        return True

    return ok


RANGES_EXPECTED = ('ranges like "09:00-17:30" or "09:00-12:00, 13:00-17:30" (HH:MM, up to '
                   '24:00, in order, not overlapping), or "" for closed')
CHECKS.update({f"hours.{day}": (_reads(parse_ranges), RANGES_EXPECTED) for day in WEEKDAYS})
CHECKS["hours.time_zone"] = (_reads(parse_zone), 'a tz database time zone like "Europe/Paris"')
CHECKS["hours.closed_days"] = (lambda v: all(_reads(parse_day)(d) for d in v),
                               'dates like "2026-12-25" (YYYY-MM-DD)')
CHECKS["surveys.on_close"] = (
    lambda v: len(v.strip()) <= 120 and v.isprintable(),  # templates' MAX_TITLE_CHARS
    'the title of a survey template (at most 120 printable characters) or ""',
)
CHECKS["offline.notify_address"] = (lambda v: not v or is_address(v),
                                    'an e-mail address like team@example.com or ""')


def check_value(key: str, value: object, source: str) -> None:
    check = CHECKS.get(key)
    if check is not None and not check[0](value):
        raise ConfigError(f"{key}: expected {check[1]}, got {_show_value(value)} (from {source})")


def _show_value(value: object) -> str:
    if isinstance(value, tuple):
        return show([vars(v) if isinstance(v, VisitorInfoField) else v for v in value])
    return show(value)


# -- checks that span several settings -------------------------------------------------


def check_combinations(parts: Mapping[str, Any], source: Callable[[str], str]) -> None:
    """The sections built, ``source(key)`` naming where a key's value came from."""
    cluster, accounts = parts["cluster"], parts["accounts"]
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
    if accounts.argon2_memory_cost_kib < 8 * accounts.argon2_parallelism:
        raise ConfigError(
            f"accounts.argon2_memory_cost_kib: expected at least 8 x accounts.argon2_parallelism "
            f"({8 * accounts.argon2_parallelism}), got {accounts.argon2_memory_cost_kib} "
            f"(from {source('accounts.argon2_memory_cost_kib')})"
        )
    mail = parts["mail"]
    if mail.retry_initial_s > mail.retry_max_s:
        raise ConfigError(
            f"mail.retry_initial_s: expected at most mail.retry_max_s ({mail.retry_max_s}), "
            f"got {mail.retry_initial_s} (from {source('mail.retry_initial_s')})"
        )
    if mail.user and not mail.password_env:
        raise ConfigError(
            "mail.password_env: expected the name of the environment variable holding the "
            f"password of mail.user {mail.user!r}, got \"\" (from {source('mail.password_env')})"
        )
    if cluster.role == "backup" and not cluster.peer_url:
        raise ConfigError(
            'cluster.peer_url: expected the primary\'s URL when cluster.role is backup, got "" '
            f"(from {source('cluster.peer_url')})"
        )
