"""Process-wide runtime settings the server applies at start-up: GIL switch interval, GC.

Why these exist (figures in ``docs/performance.md``, measured by ``python -m bench``):

- The trio thread runs pure-Python work in slices shorter than the GIL switch
  interval (5 ms by default), so actor threads waiting for the GIL get it late;
  a shorter interval cuts the actor -> trio round trip's tail.
- With thousands of connections, generation-2 collections walk every live
  object; ``gc.freeze()`` after start-up moves the objects made while starting
  (modules, classes, settings) out of the collector's sight, and higher
  thresholds make full collections rarer.

- A freeze only at start-up does not reach the objects of the connections
  made later, and those are what a full collection walks at scale. With
  ``gc_freeze_interval_s`` a daemon thread calls ``gc.freeze()`` at that
  interval, so a collection only examines what was made since the last
  freeze and its pause stays short. The price: a reference cycle that becomes
  garbage after it was frozen is not collected (memory held by closed
  connections stays) until ``gc.unfreeze()``. So every
  ``gc_full_collect_interval_s`` the same thread unfreezes and runs one full
  collection: one long pause at that interval instead of many; see
  docs/performance.md.

Read from the environment (so a benchmark can vary them without a config
change): ``FRONTDESK_SWITCH_INTERVAL_S`` (seconds, float), ``FRONTDESK_GC_THRESHOLDS``
(``gen0,gen1,gen2``), ``FRONTDESK_GC_FREEZE`` (``1``/``0``),
``FRONTDESK_GC_FREEZE_INTERVAL_S`` (seconds), ``FRONTDESK_GC_FULL_INTERVAL_S``
(seconds). An empty variable means "leave Python's default" (for the intervals:
no periodic freeze, no periodic full collection).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from frontdesk.engine.errors import ConfigError

ENV_SWITCH = "FRONTDESK_SWITCH_INTERVAL_S"
ENV_THRESHOLDS = "FRONTDESK_GC_THRESHOLDS"
ENV_FREEZE = "FRONTDESK_GC_FREEZE"
ENV_FREEZE_INTERVAL = "FRONTDESK_GC_FREEZE_INTERVAL_S"
ENV_FULL_INTERVAL = "FRONTDESK_GC_FULL_INTERVAL_S"


@dataclass(frozen=True)
class RuntimeTuning:
    """None means: keep the interpreter's default."""

    switch_interval_s: float | None = None
    gc_thresholds: tuple[int, int, int] | None = None
    gc_freeze_after_startup: bool = False
    gc_freeze_interval_s: float | None = None
    gc_full_collect_interval_s: float | None = None  # with the periodic freeze only

    def __post_init__(self) -> None:
        if self.gc_full_collect_interval_s is not None and self.gc_full_collect_interval_s <= 0:
            raise ConfigError(
                "gc_full_collect_interval_s: expected seconds > 0, "
                f"got {self.gc_full_collect_interval_s!r}"
            )
        if self.gc_freeze_interval_s is not None and self.gc_freeze_interval_s <= 0:
            raise ConfigError(
                f"gc_freeze_interval_s: expected seconds > 0, got {self.gc_freeze_interval_s!r}"
            )
        if self.switch_interval_s is not None and not 0 < self.switch_interval_s <= 1:
            raise ConfigError(
                f"switch_interval_s: expected seconds in (0, 1], got {self.switch_interval_s!r}"
            )
        if self.gc_thresholds is not None and (
            len(self.gc_thresholds) != 3 or any(t < 0 for t in self.gc_thresholds)
        ):
            raise ConfigError(
                f"gc_thresholds: expected three non-negative integers, got {self.gc_thresholds!r}"
            )

    def describe(self) -> dict[str, object]:
        return {
            "switch_interval_s": self.switch_interval_s,
            "gc_thresholds": list(self.gc_thresholds) if self.gc_thresholds else None,
            "gc_freeze_after_startup": self.gc_freeze_after_startup,
            "gc_freeze_interval_s": self.gc_freeze_interval_s,
            "gc_full_collect_interval_s": self.gc_full_collect_interval_s,
        }


# What the benchmarks support (docs/performance.md, `python -m bench --only gc_tuning
# --only switch_interval`): applied by `frontdesk serve` unless the environment says
# otherwise. The switch interval stays Python's 5 ms: 0.5 ms cut the latency at a light
# load but cost about a quarter of the relay throughput, and frontdesk is throughput-bound
# at the loads. Freezing every 0.25 s instead of 1 s: opening 10,000 dialogs in
# about 20 s (fifth round), 1 s let 23 generation-2 collections happen, the longest 55-85
# ms; at 0.25 s there were 2, of 22-26 ms (three runs each, docs/performance.md).
# Thresholds (10,000, 10, 10) (sixth round): a message makes dozens of short-lived
# containers, and at Python's 700 a young collection ran every few messages, scanning
# objects that would have died of their reference count anyway. With the periodic freeze
# nothing piles up behind the raised thresholds (without it, (50,000, 50, 100) made young
# collections take 80+ ms): young collections of at most 6.5 ms; in one run each, the
# server's CPU at 2,000 msg/s 85-87 % -> 81 %, relay saturation 0.43-0.46 -> 0.55 of the floor.
RECOMMENDED = RuntimeTuning(
    switch_interval_s=None,
    gc_thresholds=(10_000, 10, 10),
    gc_freeze_after_startup=True,
    gc_freeze_interval_s=0.25,
    gc_full_collect_interval_s=600.0,
)


def tuning_from_env(
    environ: Mapping[str, str] = os.environ, default: RuntimeTuning = RECOMMENDED
) -> RuntimeTuning:
    """``default`` overridden by the ``FRONTDESK_*`` variables that are set.

    A set but empty variable restores the interpreter's default for that knob.
    """
    switch = default.switch_interval_s
    thresholds = default.gc_thresholds
    freeze = default.gc_freeze_after_startup
    switch = _seconds(environ, ENV_SWITCH, switch)
    interval = _seconds(environ, ENV_FREEZE_INTERVAL, default.gc_freeze_interval_s)
    full = _seconds(environ, ENV_FULL_INTERVAL, default.gc_full_collect_interval_s)
    if ENV_THRESHOLDS in environ:
        raw = environ[ENV_THRESHOLDS].strip()
        try:
            parts = tuple(int(p) for p in raw.split(",")) if raw else None
        except ValueError:
            raise ConfigError(
                f"{ENV_THRESHOLDS}: expected three integers 'gen0,gen1,gen2', got {raw!r}"
            ) from None
        if parts is not None and len(parts) != 3:
            raise ConfigError(
                f"{ENV_THRESHOLDS}: expected three integers 'gen0,gen1,gen2', got {raw!r}"
            )
        thresholds = (parts[0], parts[1], parts[2]) if parts else None
    if ENV_FREEZE in environ:
        raw = environ[ENV_FREEZE].strip().lower()
        if raw not in {"", "0", "1", "true", "false", "yes", "no"}:
            raise ConfigError(f"{ENV_FREEZE}: expected 1 or 0, got {raw!r}")
        freeze = raw in {"1", "true", "yes"}
    return RuntimeTuning(switch, thresholds, freeze, interval, full)


def _seconds(environ: Mapping[str, str], name: str, default: float | None) -> float | None:
    if name not in environ:
        return default
    raw = environ[name].strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        raise ConfigError(f"{name}: expected seconds (a float), got {raw!r}") from None


def apply_runtime_tuning(tuning: RuntimeTuning) -> None:
    """Call once, early in start-up (before the engine and the server start)."""
    if tuning.switch_interval_s is not None:
        sys.setswitchinterval(tuning.switch_interval_s)
    if tuning.gc_thresholds is not None:
        gc.set_threshold(*tuning.gc_thresholds)


def after_startup(tuning: RuntimeTuning) -> None:
    """Call once the server is ready: collect, then freeze what start-up made;
    start the periodic freezer if configured (once per process)."""
    if tuning.gc_freeze_after_startup:
        gc.collect()
        gc.freeze()
    if tuning.gc_freeze_interval_s is not None:
        start_periodic_freeze(tuning.gc_freeze_interval_s, tuning.gc_full_collect_interval_s)


_freezer: list[threading.Thread] = []


def start_periodic_freeze(interval_s: float, full_collect_s: float | None = None) -> None:
    """A daemon thread that calls ``gc.freeze()`` every ``interval_s`` (idempotent),
    and every ``full_collect_s`` unfreezes and collects everything once."""
    if _freezer:
        return
    stop = threading.Event()

    def run() -> None:
        last_full = time.monotonic()
        while not stop.wait(interval_s):
            if full_collect_s is not None and time.monotonic() - last_full >= full_collect_s:
                gc.unfreeze()
                gc.collect()
                last_full = time.monotonic()
            gc.freeze()

    thread = threading.Thread(target=run, name="gc-freezer", daemon=True)
    _freezer.append(thread)
    thread.start()
