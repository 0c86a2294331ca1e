"""Sampling the server with py-spy while a measurement runs (``python -m bench --profile``).

py-spy attaches to the running ``frontdesk serve`` by pid and samples every
thread (the trio loop and the actor threads) without changing the process.
Its raw output is collapsed stacks (``frame;frame;frame count``); ``summarize``
turns them into the functions that hold the most samples, on their own
(self) and with what they call (inclusive).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any


class Sampler:
    """A py-spy ``record`` attached to ``pid``; ``stop()`` ends it and returns the summary."""

    def __init__(self, pid: int, out: Path, rate_hz: int = 200) -> None:
        exe = str(Path(sys.executable).parent / "py-spy")
        if not Path(exe).exists():
            exe = shutil.which("py-spy") or "py-spy"
        self.out = out
        self._log = out.with_suffix(".log").open("wb")
        self.proc = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate_hz),
             "--threads", "--nonblocking", "-o", str(out),
             *(["--gil"] if os.environ.get("FRONTDESK_BENCH_PYSPY_GIL") == "1" else [])],
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def stop(self) -> dict[str, Any]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        if not self.out.exists():
            return {"error": f"py-spy wrote nothing; see {self.out.with_suffix('.log')}"}
        return summarize(self.out.read_text())


def _frame_name(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    name, _, where = frame.partition(" (")
    file = where.rstrip(")").rsplit(":", 1)[0].rsplit("/", 1)[-1]
    return f"{name} ({file})" if file else name


def summarize(raw: str, top: int = 20) -> dict[str, Any]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        threads[frames[0].split(" (")[0]] += count
        names = [_frame_name(f) for f in frames[1:]] or [frames[0]]
        own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]

    return {"samples": total, "threads_pct": share(threads), "self_pct": share(own),
            "inclusive_pct": share(inclusive)}
