"""Shared fixtures. The repository root goes first on ``sys.path`` so the
packages import without installing; the engine's pytest plugin provides
``harness`` and the guards against ERROR logs and leaked actor threads."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

pytest_plugins = ["engine.testing.pytest_plugin", "pytester"]
