"""Where a relayed message waits inside the server (``python -m bench --stages``).

Measurement only, never part of the product: ``bench/serve.py`` calls ``install``
when ``FRONTDESK_BENCH_STAGES`` names a file. It wraps the functions a chat message
passes through and records, for every message whose text starts with the load
generator's send stamp (``bench/loadgen/scenarios.py``: the *scheduled* send time,
``CLOCK_MONOTONIC`` in ns, shared by every process), how long after that stamp the
message reached each of them:

1. ``read``: the connection takes the frame off its socket (``WsConnection._take``),
   on the trio thread; the wait before it is the loop's;
2. ``actor``: its dialog's actor handles the command, on the engine's thread;
3. ``store``: the store takes the commit that holds its event (``_commit_batch``);
4. ``durable``: that batch is in the journal and its effects performed;
5. ``loop``: the trio thread runs the batched hand-over (``Wakeups._drain``);
6. ``encoded``: its ``dialog.message`` frame is encoded for a socket (``_encode``;
   twice per message: the sender's echo and the other side's copy).

And per store batch: the commits in it, its wall and CPU time (``thread_time``: what
is not CPU was the fsync or a wait for the GIL), and the same of its journal append.
At exit the percentiles go to the file as JSON (``summary``).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frontdesk.adapters import wakeups
from frontdesk.adapters.storage import journal
from frontdesk.engine import dialog_actor, store
from frontdesk.web import ws_base

ENV = "FRONTDESK_BENCH_STAGES"
ORDER = ("1 read", "2 actor", "3 store", "4 durable", "5 loop", "6 encoded")
_STAMP = re.compile(r"\d{12,}")


class Stages:
    def __init__(self) -> None:
        self.samples: dict[str, list[int]] = {}

    def since_stamp(self, stage: str, stamp: int | None) -> None:
        if stamp is not None:
            self.samples.setdefault(stage, []).append(time.monotonic_ns() - stamp)

    def value(self, name: str, ns: int) -> None:
        self.samples.setdefault(name, []).append(ns)

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for name, taken in sorted(self.samples.items()):
            values = sorted(taken)
            n = len(values)
            out[name] = {"n": n, **{f"p{q}_ms": values[min(n - 1, n * q // 100)] / 1e6
                                    for q in (50, 90, 99)}}
        return out


def stamp_of_text(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    found = _STAMP.match(text)
    return int(found.group()) if found else None


def stamp_of(obj: object, depth: int = 0) -> int | None:
    """The send stamp of the message ``obj`` carries (a command, event, notice, or what
    wraps one), if it is one of the load generator's."""
    try:
        for name in ("text", "source"):
            stamp = stamp_of_text(getattr(obj, name, None))
            if stamp is not None:
                return stamp
        if depth < 2:
            for name in ("command", "notice", "message", "event"):
                inner = getattr(obj, name, None)
                if inner is not None:
                    stamp = stamp_of(inner, depth + 1)
                    if stamp is not None:
                        return stamp
    except Exception:  # never let the measurement change what it measures
        return None
    return None


def stamp_in_frame(data: str | bytes) -> int | None:
    if not isinstance(data, str) or '"say"' not in data:
        return None
    at = data.find('"text"')
    found = _STAMP.search(data, at) if at >= 0 else None
    return int(found.group()) if found else None


def install(out: Path) -> Stages:
    """Wrap the message's path (see the module's docstring); the summary goes to ``out``
    when the process exits."""
    stages = Stages()
    take = ws_base.WsConnection._take

    async def timed_take(self: ws_base.WsConnection, data: str | bytes) -> None:
        stages.since_stamp("1 read", stamp_in_frame(data))
        await take(self, data)

    handle = dialog_actor.DialogActor.handle

    def timed_handle(self: dialog_actor.DialogActor, message: object) -> None:
        stages.since_stamp("2 actor", stamp_of(message))
        handle(self, message)

    commit_batch = store.StoreActor._commit_batch

    def timed_batch(self: store.StoreActor, batch: list[Any]) -> None:
        stamps = [s for env in batch for e in env.message.events
                  if (s := stamp_of(e)) is not None]
        for s in stamps:
            stages.since_stamp("3 store", s)
        wall, cpu = time.monotonic_ns(), time.thread_time_ns()
        commit_batch(self, batch)
        stages.value("batch: wall", time.monotonic_ns() - wall)
        stages.value("batch: cpu", time.thread_time_ns() - cpu)
        stages.value("batch: commits (count, not ms)", len(batch) * 1_000_000)
        for s in stamps:
            stages.since_stamp("4 durable", s)

    append = journal.SqlJournal.append

    def timed_append(self: journal.SqlJournal, events: Any, epoch: int) -> Any:
        wall, cpu = time.monotonic_ns(), time.thread_time_ns()
        try:
            return append(self, events, epoch)
        finally:
            stages.value("append: wall", time.monotonic_ns() - wall)
            stages.value("append: cpu", time.thread_time_ns() - cpu)

    drain = wakeups.Wakeups._drain

    def timed_drain(self: wakeups.Wakeups) -> None:
        for _fn, arg in list(self._calls):
            stages.since_stamp("5 loop", stamp_of(arg))
        drain(self)

    encode: Callable[[dict[str, Any], Any], str] = ws_base._encode

    def timed_encode(frame: dict[str, Any], notice: Any) -> str:
        if frame.get("type") == "dialog.message":
            stages.since_stamp("6 encoded", stamp_of_text(frame.get("text")))
        return encode(frame, notice)

    ws_base.WsConnection._take = timed_take  # type: ignore[method-assign]
    dialog_actor.DialogActor.handle = timed_handle  # type: ignore[method-assign]
    store.StoreActor._commit_batch = timed_batch  # type: ignore[method-assign]
    journal.SqlJournal.append = timed_append  # type: ignore[method-assign]
    wakeups.Wakeups._drain = timed_drain  # type: ignore[method-assign]
    ws_base._encode = timed_encode

    def dump() -> None:
        out.write_text(json.dumps(stages.summary(), indent=1) + "\n")

    atexit.register(dump)
    return stages


def install_from_env(environ: dict[str, str] | os._Environ[str]) -> Stages | None:
    target = environ.get(ENV)
    return install(Path(target)) if target else None


def table(summary: dict[str, dict[str, float]]) -> str:
    """The summary as text lines, the stages in their order, then the batch figures."""
    names = [n for n in ORDER if n in summary] + [n for n in summary if n not in ORDER]
    return "\n".join(
        f"{name:32} n={s['n']:>7.0f}  p50 {s['p50_ms']:8.3f}  p90 {s['p90_ms']:8.3f}  "
        f"p99 {s['p99_ms']:8.3f} ms" for name, s in ((n, summary[n]) for n in names)
    )
