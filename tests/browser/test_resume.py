"""Reloads and lost connections on either side: nothing missed, nothing doubled."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import REPO, Server, free_port, static_site

pytestmark = pytest.mark.browser


def conversation(server: Server, new_page: ui.NewPage) -> tuple[Page, Page]:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "v1")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "o1")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1"])
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1"])
    return ann, vera


def dialog_id(vera: Page) -> str:
    return str(vera.evaluate("window.frontdeskWidget.session.dialog"))


def test_widget_reload_resumes_the_same_dialog(server: Server, new_page: ui.NewPage) -> None:
    ann, vera = conversation(server, new_page)
    before = dialog_id(vera)

    vera.reload()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1"])
    assert dialog_id(vera) == before

    # The operator talks while the visitor's page reloads: the message arrives once.
    vera.reload(wait_until="commit")
    ui.console_say(ann, "o2")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1", "o2"])
    ui.widget_say(vera, "v2")
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "o2", "v2"])
    expect(ann.get_by_test_id("tab")).to_have_count(1)
    # Nothing doubled after things settle either: one more round trip, then count again.
    ui.console_say(ann, "o3")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1", "o2", "v2", "o3"])


def test_console_reload_resumes_every_dialog(server: Server, new_page: ui.NewPage) -> None:
    ann, vera = conversation(server, new_page)

    ann.reload(wait_until="commit")
    ui.widget_say(vera, "v2")
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "v2"])
    # The tab was already opened before the reload: it does not flash again.
    expect(ui.tab(ann, "Vera")).to_have_attribute("data-flashing", "false")
    ui.console_say(ann, "o2")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1", "v2", "o2"])
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "v2", "o2"])


def test_lost_connections_miss_nothing(server: Server, new_page: ui.NewPage) -> None:
    ann, vera = conversation(server, new_page)

    # The visitor's socket goes away; the operator goes on talking.
    vera.evaluate("window.frontdeskWidget.session.link.stop()")
    expect(vera.get_by_test_id("fd-conn")).to_be_visible()
    ui.console_say(ann, "o2")
    ui.console_say(ann, "o3")
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "o2", "o3"])
    # The visitor writes while offline: kept, and sent with its ref when back.
    ui.widget_say(vera, "v2 (written offline)")
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(1)
    vera.evaluate("window.frontdeskWidget.session.link.start()")
    expect(vera.get_by_test_id("fd-conn")).to_be_hidden()
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1", "o2", "o3", "v2 (written offline)"])
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(0)
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "o2", "o3", "v2 (written offline)"])

    # Now the operator's socket goes away; the visitor talks.
    ann.evaluate("window.frontdeskConsole.link.stop()")
    ui.widget_say(vera, "v3")
    ui.widget_say(vera, "v4")
    expect(ui.widget_texts(vera)).to_have_count(7)
    ann.evaluate("window.frontdeskConsole.link.start()")
    expect(ui.console_texts(ann)).to_have_text(
        ["v1", "o1", "o2", "o3", "v2 (written offline)", "v3", "v4"]
    )


def test_the_socket_moves_to_the_next_node_when_one_is_down(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    """Failover from the client's side: a dead first node, then the live one.

    The page comes from a plain static server (no CSP naming nodes), allowed
    as an origin by the frontdesk server.
    """
    watch.allow(r"WebSocket connection to 'ws://127\.0\.0\.1:\d+/ws/visitor' failed")
    dead = f"http://127.0.0.1:{free_port()}"
    with static_site(REPO / "web") as site:
        server = server_with_config(f'[server]\nallowed_origins = ["{site}"]\n')
        page = new_page("link")
        page.goto(site + "/static/index.html")
        result = page.evaluate(
            """async ([dead, live]) => {
              const { Link } = await import("/static/js/link.js");
              const seen = [];
              const hello = await new Promise((resolve) => {
                const link = new Link({
                  urls: [dead, live], path: "/ws/visitor",
                  onState: (state, detail) => seen.push(state + " " + (detail.url || "")),
                  onFrame: (frame) => {
                    if (frame.type === "hello") { link.stop(); resolve(frame); }
                  },
                });
                link.start();
              });
              return { role: hello.role, seen };
            }""",
            [dead, server.base_url],
        )
    assert result["role"] == "primary"
    connecting = [s for s in result["seen"] if s.startswith("connecting")]
    assert connecting[0] == f"connecting {dead}"
    assert connecting[-1] == f"connecting {server.base_url}"
    assert f"open {server.base_url}" in result["seen"]
