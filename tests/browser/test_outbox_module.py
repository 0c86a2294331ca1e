"""The outbox and keepalive modules (web/static/js/outbox.js, keepalive.js) in Chromium.

Pure modules, so no frontdesk server: what the pages do with each answer of the
protocol. The end-to-end behaviour (a real server, reloads, a paused node) is in
``test_outbox.py`` and ``tests/failover/test_failover_typing.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from . import pages as ui
from .server import REPO, static_site

pytestmark = pytest.mark.browser

# An outbox whose socket is a list; `open` says whether send() takes the frame.
SETUP = """
  const wire = { open: true, sent: [] };
  const saved = [];
  const box = new m.Outbox({
    send: (f) => { if (!wire.open) return false; wire.sent.push(f.ref); return true; },
    save: () => saved.push(JSON.stringify(box.toJSON())),
    retryDelayMs: 10,
  });
  const say = (ref, dialog = "d-1") => ({ type: "say", dialog, text: "t " + ref, ref });
"""


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "outbox")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def run(page: Page, body: str, module: str = "outbox.js") -> Any:
    setup = SETUP if module == "outbox.js" else ""
    return page.evaluate(
        f"async () => {{ const m = await import('/static/js/{module}'); {setup} {body} }}"
    )


def test_the_protocols_codes_decide_move_retry_or_failed(page: Page) -> None:
    got = run(page, "return ['not_primary', 'unavailable', 'rate_limited', 'internal',"
                    " 'closed', 'bad_field', 'forbidden'].map(m.verdict);")
    assert got == ["move", "retry", "retry", "retry", "failed", "failed", "failed"]


def test_one_message_in_flight_per_dialog_the_next_after_the_answer(page: Page) -> None:
    got = run(page, """
      box.add(say("a1")); box.add(say("a2")); box.add(say("b1", "d-2"));
      const first = [...wire.sent];
      box.settle("a1");
      return { first, then: [...wire.sent], pending: box.pending.map((f) => f.ref) };
    """)
    assert got == {"first": ["a1", "b1"], "then": ["a1", "b1", "a2"], "pending": ["a2", "b1"]}


def test_a_not_primary_refusal_keeps_the_message_and_its_place(page: Page) -> None:
    got = run(page, """
      box.add(say("a1")); box.add(say("a2"));
      const what = box.refuse("a1", "not_primary", "the primary is http://this-node");
      const kept = box.pending.map((f) => f.ref);
      box.lost(); box.restart();            // the next node's socket
      return { what, kept, sent: [...wire.sent], failed: box.toJSON().filter((i) => i.failed) };
    """)
    assert got == {"what": "move", "kept": ["a1", "a2"], "sent": ["a1", "a1"], "failed": []}


def test_a_transient_refusal_sends_the_same_ref_again(page: Page) -> None:
    got = run(page, """
      box.add(say("a1"));
      const what = box.refuse("a1", "unavailable", "journal failing");
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { what, sent: [...wire.sent] };
    """)
    assert got == {"what": "retry", "sent": ["a1", "a1"]}


def test_a_permanent_refusal_shows_failed_with_the_reason_and_the_lane_goes_on(
    page: Page,
) -> None:
    got = run(page, """
      box.add(say("a1")); box.add(say("a2"));
      const what = box.refuse("a1", "closed", "cannot say in dialog d-1: it is closed");
      const items = box.toJSON().map((i) => [i.frame.ref, i.failed]);
      box.dismiss("a1");
      return { what, items, sent: [...wire.sent], after: box.toJSON().map((i) => i.frame.ref) };
    """)
    assert got == {
        "what": "failed",
        "items": [["a1", "cannot say in dialog d-1: it is closed"], ["a2", None]],
        "sent": ["a1", "a2"],
        "after": ["a2"],
    }


def test_kept_before_sending_and_restored_from_storage_in_order(page: Page) -> None:
    got = run(page, """
      wire.open = false;
      box.add(say("a1")); box.add(say("a2"));
      const whileClosed = [...wire.sent];
      const stored = JSON.parse(saved[saved.length - 1]);
      const again = new m.Outbox({ stored, send: (f) => { wire.sent.push(f.ref); return true; } });
      again.restart();
      const legacy = new m.Outbox({ stored: [say("x1"), { nonsense: 1 }], send: () => true });
      return { sentWhileClosed: whileClosed, sent: [...wire.sent],
               legacy: legacy.pending.map((f) => f.ref) };
    """)
    assert got == {"sentWhileClosed": [], "sent": ["a1"], "legacy": ["x1"]}


def test_an_unanswered_message_goes_again_after_the_resend_delay(page: Page) -> None:
    got = run(page, """
      box.add(say("a1"));
      box.resendStale(Date.now() + m.RESEND_AFTER_MS - 1);
      const early = [...wire.sent];
      box.resendStale(Date.now() + m.RESEND_AFTER_MS + 1);
      return { early, late: [...wire.sent] };
    """)
    assert got == {"early": ["a1"], "late": ["a1", "a1"]}


def test_keepalive_pings_and_declares_a_silent_socket_dead(page: Page) -> None:
    got = run(page, """
      const events = [];
      const k = new m.Keepalive({ ping: () => events.push("ping"),
                                  dead: () => events.push("dead") });
      k.start(0);
      k.tick(m.PING_INTERVAL_MS);                 // a ping each interval
      k.heard(m.PING_INTERVAL_MS + 10);           // its pong
      k.tick(m.PING_INTERVAL_MS + m.SILENT_AFTER_MS - 1);
      const alive = [...events];
      k.tick(m.PING_INTERVAL_MS + 10 + m.SILENT_AFTER_MS);
      k.tick(m.PING_INTERVAL_MS + 10 + m.SILENT_AFTER_MS + 5000);   // stopped: nothing more
      return { alive, events, limitMs: m.SILENT_AFTER_MS };
    """, module="keepalive.js")
    assert got["alive"] == ["ping", "ping"]
    assert got["events"] == ["ping", "ping", "dead"]
    assert got["limitMs"] + 250 < 5000  # "reconnecting" shows within 5 s of a silent node
