"""The write watch, the net under wedges not seen yet (issue 13, finding 1).

A 200-dialog sync run once left node a ``primary`` with ``accepts_writes: false`` for
minutes, its lease renewed, so the backup could never take over. Each known cause is
fixed (test_wedge_states.py); the watch makes any other one end by itself: primary,
no write accepted and nothing in progress for the bound, the node steps down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.replication.write_watch import WriteWatch
from frontdesk.adapters.testing.cluster import default_settings, open_cluster
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.cluster import Input, NodeState, Role, WritesStalled
from frontdesk.engine.errors import ConfigError

# the watch says each step down as an ERROR: anywhere else in the suite one fails the test
pytestmark = pytest.mark.allow_error_logs


@dataclass
class Journal:
    records_read: int = 0


@dataclass
class Node:
    """A node as the watch sees it, on a manual clock."""

    clock: ManualClock
    state: NodeState = field(default_factory=lambda: NodeState(Role.PRIMARY, 3))
    journal: Journal = field(default_factory=Journal)
    writable: bool = False
    fed: list[Input] = field(default_factory=list)

    @property
    def monotonic(self) -> Callable[[], float]:
        return self.clock.now

    def accepts_writes(self) -> bool:
        return self.writable

    def feed(self, event: Input) -> None:
        self.fed.append(event)


def watched(bound_s: float = 4.0) -> tuple[Node, WriteWatch]:
    node = Node(ManualClock())
    return node, WriteWatch(node, bound_s)


def test_a_primary_accepting_no_write_steps_down_once_past_the_bound() -> None:
    node, watch = watched()
    watch.check()
    node.clock.advance(3.9)
    watch.check()
    assert node.fed == [] and watch.report()["not_accepting_writes_s"] == 3.9
    node.clock.advance(0.1)
    watch.check()
    assert node.fed == [WritesStalled()]
    assert watch.report() == {"bound_s": 4.0, "not_accepting_writes_s": 0.0, "stepdowns": 1}
    watch.check()  # the clock starts again: one step down per bound, not one per check
    assert node.fed == [WritesStalled()]


def test_a_start_reading_the_journal_is_progress() -> None:
    node, watch = watched()
    watch.check()
    for _ in range(10):  # a long start: 10 s, reading all along
        node.clock.advance(1.0)
        node.journal.records_read += 5_000
        watch.check()
    assert node.fed == [] and watch.report()["not_accepting_writes_s"] == 10.0
    node.clock.advance(3.9)  # then it reads nothing: counted from its last read
    watch.check()
    assert node.fed == []
    node.clock.advance(0.1)
    watch.check()
    assert node.fed == [WritesStalled()]


def test_writes_accepted_or_another_role_reset_the_watch() -> None:
    node, watch = watched()
    watch.check()
    node.clock.advance(3.0)
    node.writable = True
    watch.check()
    node.writable = False
    node.clock.advance(3.0)
    watch.check()
    node.clock.advance(3.0)
    watch.check()
    assert node.fed == []  # 3 s since it stopped accepting, not 9
    for role in (Role.FENCED, Role.BACKUP, Role.CANDIDATE):  # saying so truthfully
        node.state = NodeState(role, 3)
        node.clock.advance(60.0)
        watch.check()
    assert node.fed == [] and watch.report()["not_accepting_writes_s"] == 0.0


def test_the_bound_defaults_to_four_leases_or_two_failover_timeouts() -> None:
    base = default_settings()("a", "")
    assert base.write_stall_bound_s == max(4 * base.lease_s, 2 * base.failover_timeout_s)
    shipped = ClusterSettings("a", "primary", "", "", "", secret="s")
    assert shipped.write_stall_bound_s == 4.8
    with pytest.raises(ConfigError, match=r"write_stall_s: expected at least two leases"):
        default_settings(write_stall_s=1.0)("a", "")


async def test_a_wedged_primary_hands_over_to_its_backup_in_sync(tmp_path: Path) -> None:
    """The wedge as it was seen: primary, lease renewed, engine up but not serving. The
    watch hands over: the backup takes the role and accepts writes."""
    async with open_cluster(tmp_path, settings=default_settings(write_stall_s=1.6)) as cl:
        a, b = cl["a"], cl["b"]
        await cl.wait_for(lambda: a.state.link_up and a.state.caught_up, timeout=10)
        a.serving = False  # the wedge
        a.changed()
        assert a.role == "primary" and not a.accepts_writes()
        await cl.wait_for(b.accepts_writes, timeout=1.6 + 10 * a.settings.lease_s)
        await cl.wait_for(lambda: a.role == "backup", timeout=5)
        assert a.write_watch.stepdowns == 1
        assert a.health()["write_watch"]["stepdowns"] == 1
        assert "frontdesk_cluster_write_stall_stepdowns_total 1\n" in a.metrics_text()
        assert b.write_watch.stepdowns == 0


async def test_a_wedged_primary_alone_fences_and_comes_back(tmp_path: Path) -> None:
    """No backup in sync (it is dead): handing over could lose what only this node has,
    so the node fences itself, asks for its lease again, and accepts writes again."""
    async with open_cluster(tmp_path, settings=default_settings(write_stall_s=1.6)) as cl:
        a = cl["a"]
        cl.kill("b")
        await cl.down("b")
        await cl.wait_for(lambda: not a.state.link_up, timeout=10)
        a.serving = False
        a.changed()
        assert not a.accepts_writes()
        assert a.health()["write_watch"]["not_accepting_writes_s"] >= 0.0
        await cl.wait_for(lambda: a.write_watch.stepdowns == 1, timeout=1.6 + 5)
        await cl.wait_for(a.accepts_writes, timeout=10 * a.settings.lease_s)
        assert a.role == "primary"
