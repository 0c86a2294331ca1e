"""The console's model (web/static/js/console/model.js) for notifications, as a pure module:
which frames are news (a new dialog, a visitor message in a dialog not in view), the unread
counts, the title's count and the tabs' order, kept across a reload; and which predefined
answers fit a text (web/static/js/console/answer_match.js)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "console-model")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def said(dialog: str, seq: int, author: str = "visitor") -> dict[str, Any]:
    return {"type": "dialog.message", "dialog": dialog, "seq": seq, "author": author,
            "text": f"{author} {seq}", "at": seq}


def added(dialog: str, name: str) -> dict[str, Any]:
    return {"type": "operator.dialog_added", "operator": "ann", "dialog": dialog,
            "visitor_name": name}


# Steps: a frame to apply, or ["select", id], ["visible", bool], ["reload"].
RUN = """async (steps) => {
  const {ConsoleModel} = await import('/static/js/console/model.js');
  const notices = [];
  const make = () => new ConsoleModel({id: "ann", name: "Ann"},
    {onNotice: (n) => notices.push([n.kind, n.dialog.id, n.text || ""])});
  let m = make();
  const seen = [];
  for (const step of steps) {
    if (Array.isArray(step) && step[0] === "select") m.select(step[1]);
    else if (Array.isArray(step) && step[0] === "visible") m.setPageVisible(step[1]);
    else if (Array.isArray(step) && step[0] === "reload") {
      if (step[1] === "fresh") sessionStorage.clear();
      m = make();
    }
    else m.apply(step);
    const tab = (d) => `${d.id}:${d.flashing ? "F" : ""}${d.unread}`;
    seen.push([m.attentionCount, m.tabOrder.map(tab)]);
  }
  return {notices, seen};
}"""


def run(page: Page, steps: list[Any]) -> Any:
    return page.evaluate(RUN, steps)


def test_news_unread_counts_title_count_and_order(page: Page) -> None:
    got = run(page, [
        added("d-1", "Vera"),              # new: flashing, counted, a notice
        said("d-1", 1),                    # a flashing dialog's message: no second notice
        ["select", "d-1"],                 # read
        added("d-2", "Walt"),              # at the top
        said("d-1", 2),                    # d-1 is in view: no news
        ["visible", False],
        said("d-1", 3),                    # the page is hidden: news
        ["visible", True],                 # seen again: read
        ["select", "d-2"],
        said("d-1", 4),
        said("d-1", 5, "operator"),        # the operator's own words are no news
        said("d-1", 5),                    # a seq seen already: not counted twice
        ["reload"],                        # the counts are kept
        added("d-1", "Vera"),              # a re-announce after the reload: no news
        {"type": "operator.dialog_removed", "operator": "ann", "dialog": "d-1",
         "reason": "transferred"},
        added("d-1", "Vera"),              # back after a transfer out: new again, on top
        ["reload", "fresh"],               # another browser: nothing stored
        {"type": "hello", "node": "a", "role": "primary", "epoch": 1},
        added("d-2", "Walt"),              # held already: it flashes, no notice
        {"type": "queue.length", "length": 0},
        added("d-3", "Xena"),              # after the state burst: news
    ])
    assert got["notices"] == [
        ["dialog", "d-1", ""], ["dialog", "d-2", ""], ["message", "d-1", "visitor 3"],
        ["message", "d-1", "visitor 4"], ["dialog", "d-1", ""], ["dialog", "d-3", ""],
    ]
    assert got["seen"] == [
        [1, ["d-1:F0"]],
        [1, ["d-1:F0"]],
        [0, ["d-1:0"]],
        [1, ["d-2:F0", "d-1:0"]],
        [1, ["d-2:F0", "d-1:0"]],
        [1, ["d-2:F0", "d-1:0"]],
        [2, ["d-2:F0", "d-1:1"]],
        [1, ["d-2:F0", "d-1:0"]],
        [0, ["d-2:0", "d-1:0"]],
        [1, ["d-2:0", "d-1:1"]],
        [1, ["d-2:0", "d-1:1"]],
        [1, ["d-2:0", "d-1:1"]],
        [1, ["d-2:0", "d-1:1"]],
        [1, ["d-2:0", "d-1:1"]],
        [0, ["d-2:0", "d-1:1"]],             # gone: not counted
        [1, ["d-1:F0", "d-2:0"]],
        [0, []],
        [0, []],
        [1, ["d-2:F0"]],
        [1, ["d-2:F0"]],
        [2, ["d-3:F0", "d-2:F0"]],
    ]


def test_the_answers_fitting_a_text(page: Page) -> None:
    got = page.evaluate("""async () => {
      const {rankAnswers, words} = await import('/static/js/console/answer_match.js');
      const answers = [
        {id: 1, title: "Opening hours", text: "We open at 9.", shortcut: "hours"},
        {id: 2, title: "Returns", text: "Returns within 30 days.", shortcut: "returns"},
        {id: 3, title: "Shipping", text: "Free from 50 euros; we ship returns.", shortcut: null},
        {id: 4, title: "Hello", text: "Hello, I'm {operator.name}.", shortcut: "hello"},
      ];
      const ids = (text, limit) => rankAnswers(answers, text, limit).map((a) => a.id);
      return {
        returns: ids("Can I return my bike?"),   // "return" / "returns"; the title counts most
        shipped: ids("is it shipped"),           // "ship" in a text word
        shortcut: ids("/hello"),                 // a shortcut typed as such
        none: ids("zeppelin"),
        stop: ids("how are you"),                // only common words
        limited: ids("returns shipping hours", 2), // shipping: its title and "returns" in its text
        words: words("Don't SHIP it — ça va? a-b 42"),
        hostile: ids("\\ud800 * NEAR \\"quoted\\" " + "x".repeat(10000)),
      };
    }""")
    assert got == {
        "returns": [2, 3], "shipped": [3], "shortcut": [4], "none": [], "stop": [],
        "limited": [3, 1], "words": ["don", "ship"], "hostile": [],
    }
