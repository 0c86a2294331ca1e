"""Which node's mail worker sends (``web.server.sends_mail``): only the one accepting
writes, never a backup, never a primary that is not ready (lease lapsed, engine fenced)."""

from __future__ import annotations

import pytest

from frontdesk.web.context import StaticNode
from frontdesk.web.server import sends_mail


@pytest.mark.parametrize(("role", "ready", "sends"), [
    ("primary", True, True),
    ("primary", False, False),
    ("backup", False, False),
    ("backup", True, False),
])
def test_only_the_node_accepting_writes_sends(role: str, ready: bool, sends: bool) -> None:
    assert sends_mail(StaticNode(role=role, ready=ready)) is sends
