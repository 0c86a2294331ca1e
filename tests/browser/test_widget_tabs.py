"""The visitor's chat survives a closed tab and is shared by the site's tabs (localStorage)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .pages import PageWatch
from .server import Server

pytestmark = pytest.mark.browser


def same_browser_tab(page: Page, watch: PageWatch, server: Server, name: str) -> Page:
    """Another tab of the visitor's browser (same context: same localStorage) on the site."""
    tab = watch.attach(page.context.new_page(), name)
    tab.goto(server.url("/demo"))
    return tab


def open_panel(page: Page) -> None:
    """Open the widget's panel (kept open per tab; a new tab starts with it closed)."""
    expect(page.get_by_test_id("fd-launcher")).to_be_visible()
    if page.get_by_test_id("fd-status").is_hidden():
        page.get_by_test_id("fd-launcher").click()
    expect(page.get_by_test_id("fd-status")).to_be_visible()


def test_a_closed_tab_keeps_the_chat_and_tabs_share_it(
    server: Server, new_page: ui.NewPage, watch: PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "v1")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "o1")
    expect(ui.widget_texts(vera)).to_have_text(["v1", "o1"])
    dialog = vera.evaluate("window.frontdeskWidget.session.dialog")

    # Close the tab; a new tab of the same browser opens the site: the same chat.
    context = vera.context
    second = watch.attach(context.new_page(), "visitor Vera, tab 2")
    vera.close()
    second.goto(server.url("/demo"))
    open_panel(second)
    expect(second.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(ui.widget_texts(second)).to_have_text(["v1", "o1"])
    assert second.evaluate("window.frontdeskWidget.session.dialog") == dialog

    # Two tabs at once: both show what the operator sends, and what either tab sends.
    third = same_browser_tab(second, watch, server, "visitor Vera, tab 3")
    open_panel(third)
    expect(ui.widget_texts(third)).to_have_text(["v1", "o1"])
    ui.console_say(ann, "o2")
    expect(ui.widget_texts(second)).to_have_text(["v1", "o1", "o2"])
    expect(ui.widget_texts(third)).to_have_text(["v1", "o1", "o2"])
    ui.widget_say(third, "v2")
    expect(ui.widget_texts(second)).to_have_text(["v1", "o1", "o2", "v2"])
    expect(ui.console_texts(ann)).to_have_text(["v1", "o1", "o2", "v2"])
    expect(ann.get_by_test_id("tab")).to_have_count(1)


def test_a_chat_started_in_one_tab_shows_in_the_other(
    server: Server, new_page: ui.NewPage, watch: PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    first = new_page("visitor Vera")
    first.goto(server.url("/demo"))
    second = same_browser_tab(first, watch, server, "visitor Vera, tab 2")
    open_panel(second)
    expect(second.get_by_test_id("fd-name")).to_be_visible()

    first.get_by_test_id("fd-launcher").click()
    first.get_by_test_id("fd-name").fill("Vera")
    first.get_by_test_id("fd-start").click()
    expect(first.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    expect(second.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(second, "from tab 2")
    expect(ui.widget_texts(first)).to_have_text(["from tab 2"])
    expect(ann.get_by_test_id("tab")).to_have_count(1)


def test_end_chat_forgets_the_dialog(
    server: Server, new_page: ui.NewPage, watch: PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "v1")
    expect(ui.widget_texts(vera)).to_have_text(["v1"])
    vera.get_by_test_id("fd-close").click()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chat ended")
    stored = vera.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('frontdesk.widget:'))"
    )
    assert stored == []

    again = same_browser_tab(vera, watch, server, "visitor Vera, later")
    open_panel(again)
    expect(again.get_by_test_id("fd-name")).to_be_visible()
    expect(ui.widget_texts(again)).to_have_count(0)


def test_an_old_chat_is_forgotten_after_the_keep_time(
    server: Server, new_page: ui.NewPage, watch: PageWatch
) -> None:
    vera = new_page("visitor Vera")
    vera.goto(server.url("/demo"))
    key = vera.evaluate("`frontdesk.widget:${location.origin}`")
    old = {"dialog": "d-404", "token": "t" * 43, "entries": [], "savedAt": 0}
    vera.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [key, old])
    vera.reload()
    open_panel(vera)
    expect(vera.get_by_test_id("fd-name")).to_be_visible()
    assert vera.evaluate("window.frontdeskWidget.session.dialog") is None
    assert vera.evaluate("(k) => localStorage.getItem(k)", key) is None
