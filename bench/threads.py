"""The server's CPU time and context switches by thread, from ``/proc`` (Linux).

Measurement only. ``bench/serve.py`` calls ``name_native_threads`` so that each
Python thread of ``frontdesk serve`` carries its name into the kernel
(``prctl(PR_SET_NAME)``, at most 15 bytes, without the ``frontdesk-`` prefix:
``journal``; ``engine-0`` and ``store-0`` when the engine is not hosted; the trio
thread is the process's main thread and keeps the executable's name). The suite
then reads every thread's ``/proc/<pid>/task/<tid>/stat`` and ``status`` before
and after a latency run (``snapshot``) and reports the difference by name
(``delta``): user and system CPU seconds, voluntary context switches (the thread
blocked: a wait for the GIL, a lock, epoll, an fsync) and involuntary ones (the
kernel preempted it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass
from typing import Any

PR_SET_NAME = 15
MAIN = "main (trio)"


@dataclass(frozen=True, slots=True)
class ThreadStat:
    name: str
    user_s: float
    sys_s: float
    voluntary: int
    involuntary: int


def snapshot(pid: int) -> dict[int, ThreadStat]:
    """Every thread of ``pid`` now, by thread id; empty when the process is gone."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, ThreadStat] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for entry in tids:
        base = f"/proc/{pid}/task/{entry}"
        try:
            with open(f"{base}/stat") as f:
                head, _, rest = f.read().rpartition(")")
            with open(f"{base}/status") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        fields = rest.split()
        tid = int(entry)
        name = MAIN if tid == pid else head.partition("(")[2]
        out[tid] = ThreadStat(
            name=name,
            user_s=int(fields[11]) / tick,
            sys_s=int(fields[12]) / tick,
            voluntary=int(status["voluntary_ctxt_switches"]),
            involuntary=int(status["nonvoluntary_ctxt_switches"]),
        )
    return out


def delta(
    before: dict[int, ThreadStat], after: dict[int, ThreadStat], messages: int
) -> dict[str, dict[str, Any]]:
    """What each thread name spent between the snapshots, in total and per message.

    Threads of one name (a pool) are added together; a thread born in between
    counts from zero.
    """
    totals: dict[str, list[float]] = {}
    for tid, now in after.items():
        then = before.get(tid, ThreadStat(now.name, 0.0, 0.0, 0, 0))
        row = totals.setdefault(now.name, [0, 0.0, 0.0, 0, 0])
        row[0] += 1
        row[1] += now.user_s - then.user_s
        row[2] += now.sys_s - then.sys_s
        row[3] += now.voluntary - then.voluntary
        row[4] += now.involuntary - then.involuntary
    per = max(1, messages)
    return {
        name: {
            "threads": int(n), "user_s": round(user, 3), "sys_s": round(sys_, 3),
            "voluntary": int(vol), "involuntary": int(invol),
            "cpu_us_per_msg": round((user + sys_) * 1e6 / per, 1),
            "sys_us_per_msg": round(sys_ * 1e6 / per, 1),
            "switches_per_msg": round((vol + invol) / per, 3),
        }
        for name, (n, user, sys_, vol, invol) in sorted(
            totals.items(), key=lambda item: -(item[1][1] + item[1][2]))
        if user + sys_ > 0 or vol + invol > 0
    }


def table(rows: dict[str, dict[str, Any]]) -> str:
    """The delta as text lines, the busiest thread first."""
    return "\n".join(
        f"{name:16} CPU {r['cpu_us_per_msg']:7.1f} us/msg (system {r['sys_us_per_msg']:6.1f})"
        f"  switches {r['switches_per_msg']:5.2f}/msg"
        f" ({r['voluntary']:,} voluntary, {r['involuntary']:,} involuntary)"
        for name, r in rows.items()
    )


def name_native_threads() -> None:
    """From now on every Python thread started names its kernel thread after itself."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    prctl = ctypes.CDLL(libc_name, use_errno=True).prctl
    run = threading.Thread.run

    def named_run(self: threading.Thread) -> None:
        name = self.name.removeprefix("frontdesk-")
        prctl(PR_SET_NAME, name.encode("utf-8", "replace")[:15], 0, 0, 0)
        run(self)

    threading.Thread.run = named_run  # type: ignore[method-assign]


__all__ = ["MAIN", "ThreadStat", "delta", "name_native_threads", "snapshot", "table"]
