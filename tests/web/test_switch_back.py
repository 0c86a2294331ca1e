"""Who may switch back to main, and the per-user throttle (web/switch_back.py), as plain calls.

End to end (a console in Chromium, a real cluster): tests/failover/test_failback.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.web.switch_back import MAX_TRACKED, SwitchBackPolicy, SwitchBackThrottle


@dataclass(frozen=True)
class Someone:
    login: str
    role: str
    name: str = ""
    capacity: int | None = None


def test_a_manager_always_may_an_operator_only_with_the_setting() -> None:
    ann, maria = Someone("ann", "operator"), Someone("maria", "manager")
    default = SwitchBackPolicy()
    assert default.allows(maria)[0] is True
    allowed, why = default.allows(ann)
    assert allowed is False
    assert "operators_may_switch_back is false" in why
    assert SwitchBackPolicy(operators_may=True).allows(ann)[0] is True
    assert SwitchBackPolicy(operators_may=True).allows(None) == (
        False, "a session is required: log in first")


def test_one_switch_back_per_user_per_interval() -> None:
    throttle = SwitchBackThrottle(min_interval_s=10.0)
    assert throttle.wait_s("ann", now=100.0) == 0.0
    assert throttle.wait_s("ann", now=104.0) == 6.0  # too soon: 6 s left, not counted
    assert throttle.wait_s("maria", now=104.0) == 0.0  # another user is not held back
    assert throttle.wait_s("ann", now=110.0) == 0.0
    assert throttle.wait_s("ann", now=115.0) == 5.0


def test_the_throttle_forgets_the_oldest_users_past_its_bound() -> None:
    throttle = SwitchBackThrottle(min_interval_s=10.0)
    for i in range(MAX_TRACKED + 5):
        throttle.wait_s(f"user-{i}", now=0.0)
    assert len(throttle._last) == MAX_TRACKED
    assert throttle.wait_s("user-0", now=1.0) == 0.0  # forgotten: may go again
