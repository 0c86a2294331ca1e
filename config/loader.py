"""Loading the settings: defaults <- TOML file <- environment <- command line.

Every value is checked where it enters, against the field's type (from the
dataclass annotations of ``frontdesk.config.settings``) and its limits, and a bad one is
refused with a ``ConfigError`` naming the key, what was expected, what came
and where it came from::

    server.port: expected an integer 1-65535, got "abc" (from FRONTDESK_SERVER__PORT)

Unknown keys are errors too, in the file and in the environment (any
``FRONTDESK_<SECTION>__<KEY>`` must name a real setting; ``FRONTDESK_SERVER_PORT``
with one underscore is refused with a hint). Other ``FRONTDESK_*`` variables
without ``__`` (such as ``FRONTDESK_CONFIG``, the default file path) are not
settings and are left alone.

This module gathers the values from their sources; ``frontdesk.config.validation`` converts
and checks them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

from frontdesk.config.settings import (
    ENGINE_FROM_CLUSTER,
    ENGINE_FROM_SERVER,
    ENGINE_FROM_SURVEYS,
    ENGINE_LIMITS,
    SECTIONS,
    TOP_LEVEL,
    Settings,
)
from frontdesk.config.validation import (
    CHECKS,
    Given,
    Spec,
    check_combinations,
    check_value,
    convert,
    expected,
    show,
)
from frontdesk.engine.errors import ConfigError

ENV_PREFIX = "FRONTDESK_"
CONFIG_ENV = "FRONTDESK_CONFIG"  # the config file when load_settings gets no path


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build the settings; ``overrides`` maps ``"server.port"``-style keys (command line)."""
    specs = _specs()
    given: dict[str, Given] = {}
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    if path is not None:
        _from_file(path, specs, given)
    _from_environ(environ, specs, given)
    for key, raw in (overrides or {}).items():
        _known(key, specs, "the command line")
        given[key] = Given(raw, "the command line", isinstance(raw, str))
    values = {key: convert(specs[key], g) for key, g in given.items()}
    for key, value in values.items():
        check_value(key, value, given[key].source)
    return _build(values, given)


def setting_specs() -> dict[str, tuple[Any, Any, str]]:
    """Every key with ``(type hint, default, description of accepted values)``; for docs/tests."""
    defaults = Settings()
    out: dict[str, tuple[Any, Any, str]] = {}
    for key, spec in _specs().items():
        section, _, name = key.rpartition(".")
        holder = getattr(defaults, section) if section else defaults
        check = CHECKS.get(key)
        out[key] = (spec.hint, getattr(holder, name), check[1] if check else expected(spec))
    return out


# -- sources ----------------------------------------------------------------------


def _specs() -> dict[str, Spec]:
    specs: dict[str, Spec] = {}
    for section, cls in SECTIONS.items():
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if cls is SECTIONS["engine"] and (
                f.name in ENGINE_FROM_CLUSTER or f.name in ENGINE_FROM_SERVER
                or f.name in ENGINE_FROM_SURVEYS
            ):
                continue
            meta = ENGINE_LIMITS.get(f.name, {}) if section == "engine" else f.metadata
            specs[f"{section}.{f.name}"] = Spec(f"{section}.{f.name}", hints[f.name], meta)
    top_hints = get_type_hints(Settings)
    for name in TOP_LEVEL:
        specs[name] = Spec(name, top_hints[name], {})
    return specs


def _known(key: str, specs: Mapping[str, Spec], source: str) -> None:
    if key in specs:
        return
    section, _, name = key.rpartition(".")
    if section == "engine" and name in ENGINE_FROM_CLUSTER:
        raise ConfigError(f"{key}: set cluster.{name} instead (from {source})")
    if section == "engine" and name in ENGINE_FROM_SERVER:
        raise ConfigError(f"{key}: set server.{ENGINE_FROM_SERVER[name]} instead (from {source})")
    if section == "engine" and ENGINE_FROM_SURVEYS.get(name):
        raise ConfigError(
            f"{key}: set surveys.{ENGINE_FROM_SURVEYS[name]} instead (from {source})")
    if section and section not in SECTIONS:
        raise ConfigError(
            f"unknown section {section!r} (from {source}): expected one of {', '.join(SECTIONS)}"
        )
    siblings = [k.rpartition(".")[2] for k in specs if k.rpartition(".")[0] == section]
    where = f"in [{section}]" if section else "or a section " + " ".join(f"[{s}]" for s in SECTIONS)
    raise ConfigError(
        f"unknown setting {key} (from {source}): expected one of {', '.join(siblings)} {where}"
    )


def _from_file(path: Path, specs: Mapping[str, Spec], given: dict[str, Given]) -> None:
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
                    f"{name}: expected a table [{name}], got {show(value)} (from {source})"
                )
            for key, inner in value.items():
                _known(f"{name}.{key}", specs, source)
                given[f"{name}.{key}"] = Given(inner, source, False)
        else:
            if isinstance(value, dict) and name not in specs:
                _known(f"{name}.{next(iter(value), '')}", specs, source)  # unknown section
            _known(name, specs, source)
            given[name] = Given(value, source, False)


def _from_environ(
    environ: Mapping[str, str], specs: Mapping[str, Spec], given: dict[str, Given]
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
        given[key] = Given(environ[variable], variable, True)


def _build(values: Mapping[str, object], given: Mapping[str, Given]) -> Settings:
    def section(name: str) -> dict[str, Any]:
        return {k.partition(".")[2]: v for k, v in values.items() if k.partition(".")[0] == name}

    def source(key: str) -> str:
        return given[key].source if key in given else "default"

    parts = {name: cls(**section(name)) for name, cls in SECTIONS.items()}
    cluster = parts["cluster"]
    server = parts["server"]
    storage = parts["storage"]
    check_combinations(parts, source)
    database_url, accounts_url = storage.journal_url(), storage.accounts_db_url()
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::", "") else server.host
    if ":" in host:
        host = f"[{host}]"
    # With port 0 the port is known only once bound: no advertise URL can be derived here.
    derived = f"http://{host}:{server.port}" if server.port else ""
    advertise = cluster.advertise_url or server.public_url or derived
    top: dict[str, Any] = {name: values[name] for name in TOP_LEVEL if name in values}
    surveys = parts["surveys"]
    return Settings(
        server=server,
        storage=dataclasses.replace(storage, database_url=database_url, accounts_url=accounts_url),
        engine=dataclasses.replace(
            parts["engine"], node_name=cluster.node_name,
            restored_operator_grace_s=server.operator_grace_s,
            initial_operator_status=server.initial_operator_status,
            survey_on_close=surveys.on_close.strip(),
            survey_answer_window_s=surveys.answer_window_s,
        ),
        accounts=parts["accounts"],
        cluster=dataclasses.replace(cluster, advertise_url=advertise.rstrip("/")),
        login=parts["login"],
        mail=parts["mail"],
        monitored=parts["monitored"],
        files=parts["files"],
        hours=parts["hours"],
        offline=parts["offline"],
        supervision=parts["supervision"],
        surveys=surveys,
        **top,
    )
