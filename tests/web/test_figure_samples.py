"""The chart's last hour (web/figure_samples.py): the ring of readings, and the manager
snapshot carrying it, so a reloaded manager view draws the hour at once."""

from __future__ import annotations

from typing import Any

from frontdesk.web.figure_samples import FigureSamples
from tests.web.nodes import Node

T = 1_700_000_000.0


def reading(at: float, queue: int = 0, open_: int = 0) -> dict[str, Any]:
    return {"at": at, "queue_length": queue, "dialogs_open": open_}


def test_one_reading_per_step_and_an_hour_kept() -> None:
    ring = FigureSamples(span_s=3600, every_s=30)
    for i in range(200):  # 100 minutes, one reading each 30 s
        ring.note(reading(T + 30 * i, queue=i % 3, open_=i))
    samples = ring.series()["samples"]
    assert samples[-1] == [T + 30 * 199, 199 % 3, 199]
    assert samples[0][0] >= T + 30 * 199 - 3600 and len(samples) == 121
    ring.note(reading(T + 30 * 199 + 5, open_=7))  # too close to the last: left out
    assert ring.series()["samples"][-1] == [T + 30 * 199, 199 % 3, 199]
    assert len(ring.series()["samples"]) == 121


def test_the_reading_of_now_comes_last_and_a_clock_set_back_restarts() -> None:
    ring = FigureSamples()
    ring.note(reading(T, 1, 2))
    series = ring.series(reading(T + 10, 0, 3))
    assert series["samples"] == [[T, 1, 2], [T + 10, 0, 3]]
    assert series["fields"] == ["at", "queue_length", "dialogs_open"]
    assert ring.series(reading(T + 4000, 5, 5))["samples"] == [[T + 4000, 5, 5]]  # T: too old
    ring.note(reading(T - 100))
    assert ring.series()["samples"] == [[T - 100, 0, 0]]
    ring.note({"at": 0.0})  # a node with no engine: nothing
    assert len(ring.series()["samples"]) == 1


async def test_the_manager_snapshot_carries_the_series(node: Node) -> None:
    node.ctx.samples.note(reading(node.clock.now() - 60, queue=2, open_=4))
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    await vera.open("Vera")
    await node.settle()
    maria = await node.manager()
    snapshot = await maria.expect("snapshot")
    samples = snapshot["series"]["samples"]
    assert samples[0] == [node.clock.now() - 60, 2, 4]
    assert samples[-1] == [node.clock.now(), 0, 1]  # now: Vera's dialog open
