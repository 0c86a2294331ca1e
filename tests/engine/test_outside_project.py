"""A developer's project outside this repository: the installed package's pytest
plugin gives it the ``harness`` fixture with no conftest line (issue 20, item 1), and
``examples/harness-project`` — the harness, the two-node cluster handles and the client —
passes its tests and ``mypy --strict`` in a temporary folder ("Done when")."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from importlib.metadata import entry_points
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "harness-project"

USER_TEST = '''
from frontdesk.engine import notices


def test_a_visitor_is_answered(harness):
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    vera.probe.expect({"type": "dialog.assigned", "operator": "ann"})
    ann.say(vera, "Hello")
    assert vera.probe.expect(notices.MessagePosted).text == "Hello"
'''


def test_the_plugin_is_an_entry_point_of_the_installed_package() -> None:
    names = [ep.value for ep in entry_points(group="pytest11")]
    assert "frontdesk.engine.testing.pytest_plugin" in names, names


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


def _outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example project copied out of the repository, and an environment that does
    not point into the repository (what a developer's shell has)."""
    project = tmp_path / "harness-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*cache*", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return project, env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.slow
def test_the_example_project_passes_its_tests_outside_the_repository(tmp_path: Path) -> None:
    project, env = _outside(tmp_path)
    assert not (project / "conftest.py").exists() and not (project / "tests/conftest.py").exists()
    done = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout, done.stdout


def _site_of_installed_package(tmp_path: Path) -> Path:
    """A python whose site-packages hold this venv's and the installed frontdesk's folders
    as ``.pth`` paths, for ``mypy --python-executable``.

    An editable install reaches its packages through an import hook, which mypy cannot
    follow (docs/harness.md, "The pytest plugin"); a plain install has them in
    site-packages. Either way the folder holding the installed ``engine`` package is
    found through the import system, not taken from this repository's layout.
    """
    spec = importlib.util.find_spec("engine")
    assert spec is not None and spec.submodule_search_locations is not None
    holder = Path(next(iter(spec.submodule_search_locations))).parent
    venv.create(tmp_path / "venv", with_pip=False)
    python = tmp_path / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    (Path(purelib) / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (Path(purelib) / "frontdesk.pth").write_text(f"{holder}\n")
    return python


@pytest.mark.slow
def test_the_example_project_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    project, env = _outside(tmp_path)
    python = _site_of_installed_package(tmp_path)
    mypy = [sys.executable, "-m", "mypy", "--python-executable", str(python),
            "--cache-dir", str(tmp_path / "mypy-cache")]
    done = _run(mypy, project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 3 source files" in done.stdout, done.stdout
    # the packages' types are really seen (not Any): a wrong call is an error
    (project / "tests" / "test_wrong.py").write_text(
        "from frontdesk.adapters.client import VisitorClient\n"
        "from frontdesk.engine.testing import EngineHarness\n\n\n"
        "def test_wrong(harness: EngineHarness) -> None:\n"
        "    harness.login(3)\n"
        "    VisitorClient('http://127.0.0.1:1', reconect=False)\n"
    )
    wrong = _run(mypy, project, env)
    assert wrong.returncode == 1, wrong.stdout
    assert 'Argument 1 to "login" of "EngineHarness" has incompatible type "int"' in wrong.stdout
    assert 'Unexpected keyword argument "reconect" for "VisitorClient"' in wrong.stdout
