"""A developer's project outside this repository: the installed package's pytest
plugin gives it the ``harness`` fixture with no conftest line (issue 20, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

USER_TEST = '''
from engine import notices as n


def test_a_visitor_is_answered(harness):
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
    ann.say(vera, "Hello")
    assert vera.probe.expect(n.MessagePosted).text == "Hello"
'''


def test_the_plugin_is_an_entry_point_of_the_installed_package() -> None:
    names = [ep.value for ep in entry_points(group="pytest11")]
    assert "engine.testing.pytest_plugin" in names, names


@pytest.mark.slow
def test_a_project_outside_the_repository_gets_the_harness_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(USER_TEST)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
