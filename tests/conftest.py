"""Shared fixtures. The repository root goes first on ``sys.path`` so the
packages import without installing; the engine's pytest plugin provides
``harness`` and the guards against ERROR logs and leaked actor threads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

# Servers the tests start (in process or as `frontdesk serve`) put a console that logs in
# straight in line for dialogs, as the tests were written; the shipped default
# (server.initial_operator_status = "no_new_dialog") is tested in tests/web/test_initial_status.py
# and tests/browser/test_console_layout.py.
os.environ.setdefault("FRONTDESK_SERVER__INITIAL_OPERATOR_STATUS", "connected")

pytest_plugins = ["frontdesk.engine.testing.pytest_plugin", "pytester"]
