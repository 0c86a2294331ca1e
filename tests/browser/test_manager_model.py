"""The manager view's model (web/static/js/manager/model.js): notices applied to the snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser

SNAPSHOT = {
    "operators": [
        {"id": "ann", "name": "Ann", "status": "connected", "load": 1, "capacity": 3,
         "dialogs": ["d-1"]},
    ],
    "dialogs": [
        {"id": "d-1", "state": "assigned", "operator": "ann", "visitor_name": "Vera",
         "waiting_s": 0, "seq": 3, "priority": 0},
        {"id": "d-2", "state": "queued", "operator": None, "visitor_name": "Pia",
         "waiting_s": 5, "seq": 1, "priority": 0},
    ],
    "queue": ["d-2"],
    "help_requests": [],
}  # fmt: skip


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "manager-model")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def apply(page: Page, frames: list[dict[str, Any]]) -> Any:
    """The outcome of each frame applied in order (at now=100), and the picture after them."""
    return page.evaluate(
        """async ([snapshot, frames]) => {
          const {ManagerModel} = await import('/static/js/manager/model.js');
          const m = new ManagerModel();
          m.setSnapshot(snapshot, 100);
          const outcomes = frames.map((f) => m.apply(f, 100));
          return {outcomes, queue: m.queue, help: m.help_requests.map((r) => r.dialog),
                  dialogs: m.dialogs.map((d) => [d.id, d.state, d.operator, m.waiting(d, 110)]),
                  operators: m.operators.map((o) => [o.id, o.status, o.load, o.dialogs])};
        }""",
        [SNAPSHOT, frames],
    )


def test_a_dialogs_life_is_applied_with_no_refetch(page: Page) -> None:
    got = apply(
        page,
        [
            {"type": "dialog.opened", "dialog": "d-3", "seq": 1, "at": 1, "visitor_name": "Rob"},
            {"type": "dialog.assigned", "dialog": "d-2", "seq": 2, "operator": "ann"},
            {"type": "operator.dialog_added", "operator": "ann", "dialog": "d-2"},
            {"type": "dialog.message", "dialog": "d-1", "seq": 4, "author": "visitor"},
            {"type": "dialog.help_requested", "dialog": "d-1", "seq": 5, "operator": "ann"},
            {"type": "dialog.closed", "dialog": "d-1", "seq": 6, "by": "operator"},
            {"type": "dialog.mail", "dialog": "d-1", "seq": 7, "kind": "transcript"},
            {"type": "operator.status", "operator": "ann", "status": "on_break", "since": 90},
        ],
    )
    assert got == {
        "outcomes": ["changed"] * 6 + ["same", "changed"],
        "queue": ["d-3"],
        "help": [],
        # d-2 waited in the queue; assigned, with nothing of its visitor unanswered, it waits 0
        "dialogs": [["d-2", "assigned", "ann", 0], ["d-3", "queued", None, 10]],
        "operators": [["ann", "on_break", 1, ["d-2"]]],
    }


def waits(page: Page, snapshot: dict[str, Any], steps: list[Any]) -> Any:
    """The waiting seconds of each dialog after each step: a frame applied at its ``now``
    (``[now, frame]``) or a reading (``now``)."""
    return page.evaluate(
        """async ([snapshot, steps]) => {
          const {ManagerModel} = await import('/static/js/manager/model.js');
          const m = new ManagerModel();
          m.setSnapshot(snapshot, 100);
          const out = [];
          for (const step of steps) {
            if (Array.isArray(step)) m.apply(step[1], step[0]);
            else out.push(Object.fromEntries(m.dialogs.map((d) => [d.id, m.waiting(d, step)])));
          }
          return out;
        }""",
        [snapshot, steps],
    )


def test_waiting_is_the_oldest_unanswered_message_or_the_queue_and_0_once_answered(
    page: Page,
) -> None:
    snapshot = {
        "operators": [],
        "dialogs": [
            {"id": "d-1", "state": "assigned", "operator": "ann", "waiting_s": 0,
             "unanswered_s": None, "queued_s": None, "seq": 3},
            {"id": "d-2", "state": "assigned", "operator": "ann", "waiting_s": 20,
             "unanswered_s": 20, "queued_s": None, "seq": 5},
            {"id": "d-3", "state": "queued", "operator": None, "waiting_s": 30,
             "unanswered_s": 10, "queued_s": 30, "seq": 2},
        ],
        "queue": ["d-3"],
        "help_requests": [],
    }  # fmt: skip
    got = waits(
        page,
        snapshot,
        [
            170,  # answered stays 0 however long; the others count
            [170, {"type": "dialog.message", "dialog": "d-2", "seq": 6, "author": "operator"}],
            [175, {"type": "dialog.message", "dialog": "d-1", "seq": 4, "author": "visitor"}],
            [180, {"type": "dialog.message", "dialog": "d-1", "seq": 5, "author": "visitor"}],
            [180, {"type": "dialog.assigned", "dialog": "d-3", "seq": 3, "operator": "bob"}],
            190,
            [190, {"type": "dialog.requeued", "dialog": "d-2", "seq": 7, "operator": "ann"}],
            [200, {"type": "dialog.closed", "dialog": "d-1", "seq": 6, "by": "operator"}],
            260,
        ],
    )  # fmt: skip
    assert got == [
        {"d-1": 0, "d-2": 90, "d-3": 100},
        # d-1: since its first unanswered message; d-3: its message, not its queue time
        {"d-1": 15, "d-2": 0, "d-3": 100},
        {"d-2": 70, "d-3": 170},  # d-2 back in the queue since 190
    ]


def test_a_requeued_dialog_goes_back_in_order_and_operators_are_merged(page: Page) -> None:
    got = apply(
        page,
        [
            {"type": "dialog.requeued", "dialog": "d-1", "seq": 4, "operator": "ann"},
            {"type": "operator.dialog_removed", "operator": "ann", "dialog": "d-1"},
            {"type": "operators", "operators": [
                {"id": "bob", "name": "Bob", "status": "connected", "load": 0, "capacity": 2},
                {"id": "ann", "name": "Ann", "status": "connected", "load": 0, "capacity": 3},
            ]},
        ],
    )  # fmt: skip
    assert got["queue"] == ["d-1", "d-2"]
    assert got["operators"] == [["ann", "connected", 0, []], ["bob", "connected", 0, []]]


def test_what_the_picture_cannot_know_asks_for_a_resync(page: Page) -> None:
    got = apply(
        page,
        [
            {"type": "dialog.assigned", "dialog": "d-99", "seq": 2, "operator": "ann"},
            {"type": "dialog.history_gone", "dialog": "d-1"},
            {"type": "operator.status", "operator": "zoe", "status": "connected"},
            {"type": "dialog.typing", "dialog": "d-1", "author": "visitor"},
            {"type": "__proto__"},
        ],
    )
    assert got["outcomes"] == ["resync", "resync", "resync", "same", "same"]


def test_a_replayed_entry_is_old_and_a_skipped_seq_is_a_gap(page: Page) -> None:
    got = page.evaluate(
        """async (snapshot) => {
          const {ManagerModel} = await import('/static/js/manager/model.js');
          const m = new ManagerModel();
          m.setSnapshot(snapshot, 100);
          const entry = (dialog, seq) => ({type: "dialog.message", dialog, seq, author: "visitor"});
          return [m.seen(entry("d-1", 2)), m.seen(entry("d-1", 4)), m.seen(entry("d-1", 6)),
                  m.seen(entry("d-9", 1)), m.seen({type: "dialog.typing", dialog: "d-1"})];
        }""",
        SNAPSHOT,
    )
    assert got == ["old", "new", "gap", "new", "new"]


def test_the_charts_hour_comes_from_the_snapshot_and_grows_with_the_figures(page: Page) -> None:
    """The snapshot's `series` (web/figure_samples.py), then a figures frame's reading each
    15 s kept (those between move the last one); a snapshot without a series keeps it."""
    got = page.evaluate(
        """async () => {
          const {ManagerModel} = await import('/static/js/manager/model.js');
          const m = new ManagerModel();
          m.setSnapshot({series: {span_s: 3600, samples: [[1000, 1, 2], [1030, 0, 2], "bad"]}}, 0);
          const fig = (at, q, o) =>
            m.apply({type: "figures", at, queue_length: q, dialogs_open: o}, 0);
          fig(1032, 0, 3); fig(1040, 2, 3); fig(1046, 1, 4); fig(4640, 0, 0);
          const grown = m.series.samples.map((s) => [...s]);
          m.setSnapshot({operators: []}, 0);  // GET /api/inspect after a gap: no series
          return {grown, kept: m.series.samples.length};
        }""")
    # the last reading is the live one: 1032 is a step past 1000 (1030 stays), 1040 is not
    # a step past 1030 (it moves the last), 1046 is (1040 stays); 4640 is an hour after 1040:
    # the older ones are dropped
    assert got["grown"] == [[1040, 2, 3], [1046, 1, 4], [4640, 0, 0]]
    assert got["kept"] == 3
