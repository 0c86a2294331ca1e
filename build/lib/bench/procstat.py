"""Reading a process's resident memory from ``/proc`` (Linux)."""

from __future__ import annotations


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
