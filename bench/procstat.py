"""Reading a process's resident memory and CPU time from ``/proc`` (Linux)."""

from __future__ import annotations

import os


def rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` in KiB; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def hwm_kb(pid: int) -> int:
    """VmHWM (peak RSS) of ``pid`` in KiB; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used, all its threads; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
