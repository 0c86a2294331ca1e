"""``python -m bench.serve serve ...``: ``frontdesk serve`` with the benchmark's instruments.

The suite starts the real server through this wrapper so that it can vary the
runtime tuning and read GC pauses whatever the server itself does at start-up:

- installs the ``frontdesk.adapters.gcstats`` recorder when ``FRONTDESK_GC_STATS=1`` (the
  server exposes it on ``/metrics``; the wrapper also dumps it as JSON at exit
  to ``FRONTDESK_GC_STATS_FILE``, for a server that does not);
- applies ``frontdesk.adapters.tuning`` from the environment, with no default tuning:
  what the environment does not set stays the interpreter's default;
- with ``FRONTDESK_GC_FREEZE=1``, imports the server's modules, collects and
  freezes before serving (the server's own ``after_startup`` freezes later,
  once the engine runs, when it calls it); with ``FRONTDESK_GC_FREEZE_INTERVAL_S``
  it starts the periodic freezer;
- with ``FRONTDESK_BENCH_STAGES`` naming a file, installs ``bench.stages`` (where a
  relayed message waits inside the server; ``python -m bench --stages``);
- names each thread's kernel thread after the Python thread (``bench.threads``), so
  the suite can tell the engine's and the store's CPU time from the trio thread's.

Then it hands the arguments to ``frontdesk.web.cli.main``.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from pathlib import Path

from bench import stages, threads
from frontdesk.adapters import gcstats
from frontdesk.adapters.tuning import (
    RuntimeTuning,
    apply_runtime_tuning,
    start_periodic_freeze,
    tuning_from_env,
)


def main() -> None:
    threads.name_native_threads()
    gcstats.install_from_env(os.environ)
    dump_to = os.environ.get(gcstats.ENV_DUMP)
    if dump_to:
        atexit.register(gcstats.dump, Path(dump_to))
    tuning = tuning_from_env(os.environ, default=RuntimeTuning())
    apply_runtime_tuning(tuning)
    cli = importlib.import_module("frontdesk.web.cli")
    stages.install_from_env(os.environ)
    if tuning.gc_freeze_after_startup:
        gc.collect()
        gc.freeze()
    if tuning.gc_freeze_interval_s is not None:
        start_periodic_freeze(tuning.gc_freeze_interval_s, tuning.gc_full_collect_interval_s)
    code = cli.main(sys.argv[1:])
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
