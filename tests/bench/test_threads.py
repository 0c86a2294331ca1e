"""``bench.threads``: the server's CPU time and context switches by thread.

Read from this test's own process: a thread named by ``name_native_threads``
shows under its name in ``/proc``, and the CPU it burns shows in the delta.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from bench import threads
from bench.threads import ThreadStat


def test_a_named_thread_shows_its_name_and_its_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading.Thread, "run", threading.Thread.run)  # undone after
    threads.name_native_threads()
    pid = os.getpid()
    before = threads.snapshot(pid)
    seen = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        me = threading.get_native_id()
        deadline = time.monotonic() + 10
        # burn CPU until the kernel has counted a few ticks of it to this thread
        while not stop.is_set() and time.monotonic() < deadline:
            sum(range(10_000))
            stat = threads.snapshot(pid).get(me)
            if stat is not None and stat.user_s + stat.sys_s >= 0.05:
                seen.set()
                stop.wait()

    worker = threading.Thread(target=spin, name="frontdesk-probe-a-long-name")
    worker.start()
    try:
        assert seen.wait(timeout=10), "the spinning thread's CPU never reached 50 ms"
        after = threads.snapshot(pid)
    finally:
        stop.set()
        worker.join(timeout=10)
    rows = threads.delta(before, after, messages=10)
    assert "probe-a-long-na" in rows  # the prefix dropped, cut to the kernel's 15 bytes
    probe = rows["probe-a-long-na"]
    assert probe["threads"] == 1
    assert probe["user_s"] + probe["sys_s"] >= 0.05
    assert probe["cpu_us_per_msg"] >= 5_000  # 50 ms over 10 messages
    assert after[pid].name == threads.MAIN
    assert "probe-a-long-na" in threads.table(rows)


def test_the_delta_adds_a_pool_and_counts_a_new_thread_from_zero() -> None:
    before = {
        1: ThreadStat(threads.MAIN, 1.0, 0.5, 10, 1),
        2: ThreadStat("engine-0", 0.2, 0.0, 5, 0),
        3: ThreadStat("pool", 0.1, 0.0, 5, 0),
        5: ThreadStat("pool", 0.0, 0.0, 0, 0),
        9: ThreadStat("gone", 1.0, 1.0, 1, 1),
    }
    after = {
        1: ThreadStat(threads.MAIN, 1.4, 0.6, 30, 3),
        2: ThreadStat("engine-0", 0.3, 0.1, 15, 0),
        3: ThreadStat("pool", 0.1, 0.0, 5, 0),
        5: ThreadStat("pool", 0.1, 0.0, 1, 0),
        6: ThreadStat("idle", 0.0, 0.0, 0, 0),
        4: ThreadStat("store-0", 0.2, 0.2, 40, 2),
    }
    rows = threads.delta(before, after, messages=1_000)
    # busiest first; a thread with no CPU and no switch in between is left out
    assert list(rows) == [threads.MAIN, "store-0", "engine-0", "pool"]
    assert rows[threads.MAIN]["cpu_us_per_msg"] == pytest.approx(500.0)
    assert rows[threads.MAIN]["sys_us_per_msg"] == pytest.approx(100.0)
    assert rows[threads.MAIN]["switches_per_msg"] == pytest.approx(0.022)
    assert rows["store-0"] == {
        "threads": 1, "user_s": 0.2, "sys_s": 0.2, "voluntary": 40, "involuntary": 2,
        "cpu_us_per_msg": 400.0, "sys_us_per_msg": 200.0, "switches_per_msg": 0.042,
    }
    assert rows["engine-0"]["voluntary"] == 10
    assert rows["pool"]["threads"] == 2 and rows["pool"]["voluntary"] == 1
    assert "gone" not in rows and "idle" not in rows
