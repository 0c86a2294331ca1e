"""The Find knowledge panel in the console (Chromium): the visitor asks a question of the demo
knowledge base, the operator sees it suggested, opens its related articles, puts its answer in
the answer box, edits it and sends it; the visitor sees the text. The panel follows the dialog
and its search box searches on demand."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def load_demo_articles(server: Server) -> None:
    """What a manager's import does: the demo's articles, through the HTTP route."""
    maria = server.accounts["maria"]
    body = json.dumps([{"title": d.title, "questions": list(d.questions), "answer": d.answer,
                        "tags": list(d.tags), "enabled": d.enabled} for d in DEMO_ARTICLES])
    with httpx.Client(base_url=server.base_url, timeout=10.0) as http:
        login = http.post("/api/login", json={"login": maria.login, "password": maria.password})
        assert login.status_code == 200, login.text
        answer = http.post("/api/knowledge/import", params={"format": "json"}, content=body)
        assert answer.status_code == 201, answer.text


def test_the_operator_uses_a_suggested_article_edits_it_and_the_visitor_reads_it(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch,
) -> None:
    load_demo_articles(server)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.tab(ann, "Vera").click()
    panel = ann.get_by_test_id("kb-panel")
    expect(panel.get_by_role("heading", name="Find knowledge")).to_be_visible()
    expect(panel.get_by_test_id("kb-status")).to_contain_text("No question from the visitor")

    ui.widget_say(vera, "Are you open on Sunday?")
    suggestions = panel.get_by_test_id("kb-suggestions").locator(":scope > li")
    # a suggestion's own title, not those of its related list (a strict-mode locator fails at
    # once instead of waiting while the list still shows the related articles of the last one)
    title = suggestions.first.locator(":scope > [data-testid=kb-use] [data-testid=kb-title]")
    expect(title).to_have_text("Opening hours")
    expect(suggestions.first.get_by_test_id("kb-snippet")).to_contain_text("Monday to Saturday")
    assert suggestions.count() <= 5

    # the dialog goes on: the suggestions follow the visitor's latest message
    ui.widget_say(vera, "And how much is shipping?")
    expect(title).to_have_text("Shipping costs")
    first = suggestions.first
    first.get_by_test_id("kb-related").click()
    expect(first.get_by_test_id("kb-related")).to_have_attribute("aria-expanded", "true")
    related = first.get_by_test_id("kb-related-list").get_by_test_id("kb-title")
    expect(related.get_by_text("Shipping times", exact=True)).to_be_visible()
    expect(related.get_by_text("Shipping costs", exact=True)).to_have_count(0)

    # the search box searches on demand; keyboard: Enter searches, arrow down, Enter uses
    search = panel.get_by_test_id("kb-search")
    search.fill("sunday hours")
    search.press("Enter")
    expect(title).to_have_text("Opening hours")
    search.press("ArrowDown")
    expect(suggestions.first.get_by_test_id("kb-use")).to_be_focused()
    ann.keyboard.press("Enter")
    box = ann.get_by_test_id("message-input")
    expect(box).to_be_focused()
    answer = next(d.answer for d in DEMO_ARTICLES if d.title == "Opening hours")
    expect(box).to_have_value(answer)

    box.press("Control+Home")
    box.type("Hi Vera! ")
    box.press("Enter")
    expect(ui.widget_texts(vera).last).to_have_text(
        "Hi Vera! We are open Monday to Saturday, 9:00 to 18:00; closed on Sundays and "
        "public holidays.")
    expect(vera.get_by_test_id("fd-msg").last.locator("strong")).to_have_text(
        "Monday to Saturday, 9:00 to 18:00")
    expect(box).to_have_value("")
    assert watch.problems == [] and watch.dialogs == []


def test_a_suggestion_after_typed_text_comes_after_a_blank_line(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch,
) -> None:
    load_demo_articles(server)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    ui.widget_say(vera, "Can I return an item?")
    use = ann.get_by_test_id("kb-suggestions").get_by_test_id("kb-use").first
    expect(use.get_by_test_id("kb-title")).to_have_text("Returns and refunds")
    box = ann.get_by_test_id("message-input")
    box.fill("Sure.")
    use.click()
    answer = next(d.answer for d in DEMO_ARTICLES if d.title == "Returns and refunds")
    expect(box).to_have_value(f"Sure.\n\n{answer}")
    assert watch.problems == [] and watch.dialogs == []
