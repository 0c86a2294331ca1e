"""pytest plugin: the ``harness`` fixture and the guards every test runs under.

Registered from ``tests/conftest.py`` (``pytest_plugins``). For every test:

* an ERROR (or worse) log record from the ``pykka`` or ``frontdesk`` loggers
  fails the test, unless it reports a crash the test injected through the
  harness (those records carry ``injected=True``) or the test is marked
  ``@pytest.mark.allow_error_logs``;
* an actor started during the test and still alive after it is a leak: it
  is stopped and the test fails.

``--engine-dispatcher=shared|threads`` makes every ``EngineHarness`` run its actors
so (``EngineHarness.dispatcher``), whatever its settings say; ``hosted`` runs them on
the shared dispatcher hosted on one loop thread, as a served node does
(``EngineHarness.hosted``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pykka
import pytest

from frontdesk.engine.testing.harness import EngineHarness

_LOGGERS = ("pykka", "frontdesk")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not getattr(record, "injected", False):
            self.records.append(record)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine-dispatcher",
        choices=("shared", "threads", "hosted"),
        default=None,
        help="run every EngineHarness's actors on this dispatcher (engine.dispatcher); "
        "hosted: shared, hosted on one loop thread as a served node's engine is",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_error_logs: the test expects ERROR logs from frontdesk or pykka"
    )
    chosen = config.getoption("--engine-dispatcher", None)
    EngineHarness.hosted = chosen == "hosted"
    EngineHarness.dispatcher = "shared" if chosen == "hosted" else chosen


@pytest.fixture(autouse=True)
def _frontdesk_guards(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    for lg in loggers:
        lg.addHandler(collector)
    before = {ref.actor_urn for ref in pykka.ActorRegistry.get_all()}
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeHandler(collector)
    leaked = [ref for ref in pykka.ActorRegistry.get_all() if ref.actor_urn not in before]
    for ref in leaked:
        ref.stop(block=False)
    problems = []
    if leaked:
        problems.append(f"{len(leaked)} actor(s) still alive after the test: {leaked[:5]}")
    if collector.records and request.node.get_closest_marker("allow_error_logs") is None:
        lines = [f"{r.name}: {r.getMessage()}" for r in collector.records[:5]]
        problems.append("ERROR logged during the test:\n  " + "\n  ".join(lines))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def harness() -> Iterator[EngineHarness]:
    """A started ``EngineHarness`` (MemoryJournal, ManualClock), stopped after the test."""
    with EngineHarness() as h:
        yield h
