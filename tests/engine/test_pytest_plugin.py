"""The plugin's guards, checked by running small test files in an inner pytest."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.allow_error_logs  # the inner sessions log on purpose

HEADER = """
import logging
import pykka
import pytest
from frontdesk.engine.testing import EngineHarness
"""


def run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=HEADER + body)
    return pytester.runpytest_inprocess("-p", "frontdesk.engine.testing.pytest_plugin", "-q")


def test_error_log_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_logs():
    logging.getLogger("frontdesk.web").error("something broke")
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["ERROR logged during the test:", "*frontdesk.web: something broke"]
    )


def test_marker_allows_error_logs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.allow_error_logs
def test_logs():
    logging.getLogger("pykka").error("expected")
""",
    )
    result.assert_outcomes(passed=1)


def test_injected_crashes_are_allowed(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_crash(harness):
    vera = harness.visitor("V")
    vera.open()
    harness.inject_crash("dialog:" + vera.dialog)
    assert vera.say("x").code == "internal"
""",
    )
    result.assert_outcomes(passed=1)


def test_leaked_actor_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
class Idle(pykka.ThreadingActor):
    pass

def test_leaks():
    Idle.start()
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*actor(s) still alive after the test*"])


def test_harness_fixture_is_started_and_stopped(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_uses(harness):
    assert harness.login("ann").id == "ann"
    assert harness.snapshot()["operators"][0]["id"] == "ann"
""",
    )
    result.assert_outcomes(passed=1)
