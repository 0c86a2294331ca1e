"""engine/testing/aids.py: crash arms and holds, plugged into an engine by the harness."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness
from frontdesk.engine.testing.aids import CrashArms


def test_a_crash_arm_fires_as_many_times_as_armed_for_its_address_only() -> None:
    arms = CrashArms()
    arms.arm("dialog:d-1", times=2)
    arms.arm("queue", in_start=True)
    assert [arms.take("dialog:d-1", False) for _ in range(3)] == [True, True, False]
    assert not arms.take("queue", False) and arms.take("queue", True)
    assert not arms.take("queue", True)


def test_the_harness_plugs_its_aids_into_every_engine_it_makes(harness: EngineHarness) -> None:
    assert harness.engine.ctx.faults is harness.crashes
    assert harness.engine.directory.holds is harness.holds
    harness.restart()
    assert harness.engine.ctx.faults is harness.crashes
    assert harness.engine.directory.holds is harness.holds
    harness.login("ann")
    harness.hold("operator:ann")
    assert harness.engine.directory.held() == ["operator:ann"]
    answer = harness.probe("status")
    harness.engine.submit(commands.SetStatus("ann", Status.ON_BREAK, ref="s"), answer)
    harness.settle()  # what is held back does not keep settle waiting
    assert answer.received == []
    harness.release("operator:ann")
    answer.expect(notices.Ack)
