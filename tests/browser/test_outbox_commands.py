"""The outbox keeps commands other than `say` too (web/static/js/outbox.js; issue 13).

The operator's status change, close, transfer with its note and the visitor's close go
through the same lanes and rules as messages; the views see only the messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser

SETUP = """
  const m = await import('/static/js/outbox.js');
  const wire = { open: true, sent: [] };
  const saved = [];
  const box = new m.Outbox({
    send: (f) => { if (!wire.open) return false; wire.sent.push(f.ref); return true; },
    save: () => saved.push(JSON.stringify(box.toJSON())),
    retryDelayMs: 10,
  });
  const say = (ref, dialog = "d-1") => ({ type: "say", dialog, text: "t " + ref, ref });
  const close = (ref, dialog = "d-1") => ({ type: "close", dialog, ref });
  const transfer = (ref) => ({ type: "transfer", dialog: "d-1", to: "bob", note: "VIP", ref });
  const status = (ref, value) => ({ type: "status", status: value, ref });
"""


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "outbox-commands")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def run(page: Page, body: str) -> Any:
    return page.evaluate(f"async () => {{ {SETUP} {body} }}")


def test_a_close_waits_behind_the_messages_typed_before_it(page: Page) -> None:
    got = run(
        page,
        """
      box.add(say("a1")); box.add(close("c1")); box.add(status("s1", "on_break"));
      const first = [...wire.sent];
      box.settle("a1");
      return { first, then: [...wire.sent], pending: box.pending.map((f) => f.ref),
               commands: box.commands.map((f) => f.ref), view: box.forDialog("d-1").length,
               says: box.says().map((i) => i.frame.ref) };
    """,
    )
    assert got == {
        "first": ["a1", "s1"],
        "then": ["a1", "s1", "c1"],
        "pending": [],
        "commands": ["c1", "s1"],
        "view": 0,
        "says": [],
    }


def test_a_command_survives_not_primary_and_a_reload_and_goes_on_the_next_node(
    page: Page,
) -> None:
    got = run(
        page,
        """
      box.add(transfer("t1"));
      const what = box.refuse("t1", "not_primary", "this node is a backup");
      box.lost();
      const stored = JSON.parse(saved[saved.length - 1]);
      const next = [];
      const send = (f) => { next.push([f.type, f.note, f.ref]); return true; };
      const again = new m.Outbox({ stored, send });
      again.restart();
      return { what, next, tries: again.toJSON()[0].tries };
    """,
    )
    assert got == {"what": "move", "next": [["transfer", "VIP", "t1"]], "tries": 2}


def test_a_command_refused_for_good_is_dropped_for_the_owner_to_show(page: Page) -> None:
    got = run(
        page,
        """
      box.add(close("c1")); box.add(say("a2"));
      const what = box.refuse("c1", "forbidden", "not yours");
      return { what, left: box.toJSON().map((i) => [i.frame.ref, i.failed]), sent: [...wire.sent] };
    """,
    )
    assert got == {"what": "dropped", "left": [["a2", None]], "sent": ["c1", "a2"]}


def test_a_resent_command_refused_as_already_done_counts_as_done(page: Page) -> None:
    got = run(
        page,
        """
      box.add(close("c1")); box.add(transfer("t1"));
      box.lost(); box.restart();              // both went once, the answers were lost
      const closeWhat = box.refuse("c1", "closed", "dialog d-1 is closed");
      box.lost(); box.restart();
      const transferWhat = box.refuse("t1", "forbidden", "you do not hold d-1");
      const fresh = new m.Outbox({ send: () => true });
      fresh.add(close("c2"));                  // refused on its first try: a real refusal
      return { closeWhat, transferWhat, first: fresh.refuse("c2", "closed", "closed"),
               left: box.toJSON().length };
    """,
    )
    assert got == {"closeWhat": "done", "transferWhat": "done", "first": "dropped", "left": 0}


def test_a_transient_refusal_of_a_command_sends_the_same_ref_again(page: Page) -> None:
    got = run(
        page,
        """
      box.add(status("s1", "connected"));
      const what = box.refuse("s1", "unavailable", "journal failing");
      await new Promise((resolve) => setTimeout(resolve, 50));
      box.settle("s1");
      return { what, sent: [...wire.sent], left: box.toJSON().length };
    """,
    )
    assert got == {"what": "retry", "sent": ["s1", "s1"], "left": 0}
