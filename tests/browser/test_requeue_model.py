"""The manager view's model keeps the engine's queue order for a requeued dialog (back
at the head, its operator vanished) and lists the reassignments, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser

SNAPSHOT = {
    "operators": [],
    "dialogs": [
        {"id": "d-1", "state": "assigned", "operator": "ann", "visitor_name": "Vera",
         "waiting_s": 0, "seq": 3, "priority": 0, "requeued": False},
        {"id": "d-2", "state": "queued", "operator": None, "visitor_name": "Pia",
         "waiting_s": 5, "seq": 1, "priority": 2, "requeued": False},
        {"id": "d-3", "state": "queued", "operator": None, "visitor_name": "Rob",
         "waiting_s": 5, "seq": 4, "priority": 0, "requeued": True},
    ],
    "queue": ["d-3", "d-2"],
    "help_requests": [],
}  # fmt: skip


@pytest.fixture
def page(browser: Browser, watch: ui.PageWatch) -> Iterator[Page]:
    with static_site(REPO / "web") as url:
        context = browser.new_context()
        page = watch.attach(context.new_page(), "manager-model")
        page.goto(url + "/static/index.html")
        yield page
        context.close()


def test_a_requeued_dialog_goes_to_the_head_and_is_listed(page: Page) -> None:
    frames: list[dict[str, Any]] = [
        {"type": "dialog.requeued", "dialog": "d-1", "seq": 4, "at": 50, "operator": "ann",
         "reason": "no reply from Ann for 120 s"},
        {"type": "dialog.opened", "dialog": "d-4", "seq": 1, "at": 60, "visitor_name": "Zoe",
         "priority": 5},
    ]  # fmt: skip
    got = page.evaluate(
        """async ([snapshot, frames]) => {
          const {ManagerModel} = await import('/static/js/manager/model.js');
          const m = new ManagerModel();
          m.setSnapshot(snapshot, 100);
          frames.forEach((f) => m.apply(f, 100));
          return {queue: m.queue, reassigned: m.reassigned};
        }""",
        [SNAPSHOT, frames],
    )
    # the requeued ones first (among them by arrival), then by priority and arrival
    assert got["queue"] == ["d-1", "d-3", "d-4", "d-2"]
    assert got["reassigned"] == [
        {"dialog": "d-1", "operator": "ann", "reason": "no reply from Ann for 120 s", "at": 50}
    ]
