"""The distribution installs one namespace, ``frontdesk`` (issue 20, finding 3).

A developer's project has its own ``config.py`` or ``web/``; frontdesk's packages must not
collide with them. Checked from outside the repository, in a fresh interpreter, as a user's
project would import the installed package.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

SCRIPT = """
import importlib, sys
import frontdesk.web.cli, frontdesk.engine.testing, frontdesk.adapters.client
import frontdesk.config.loader
assert frontdesk.config.loader.__name__ == "frontdesk.config.loader"
import config  # the user's own config.py, not frontdesk's
assert config.MINE, config
for name in ("engine", "adapters", "web"):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError(f"a top-level package {name!r} is installed")
print("ok")
"""


def test_the_packages_install_under_frontdesk_beside_a_users_own_config(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("MINE = True\n")  # what broke `import adapters.cli`
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_console_script_and_the_pytest_plugin_name_the_namespace() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts["frontdesk"] == "frontdesk.web.cli:main"
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    plugin = "frontdesk.engine.testing.pytest_plugin"
    assert plugins[plugin] == plugin
