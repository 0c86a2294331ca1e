"""Predefined answers in the Find knowledge panel (issue 15): the operator's own and the shared
answers fitting the visitor's latest question are listed under the articles, the search box
finds others, and a click puts one in the answer box with its variables filled in."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server
from .test_predefined import add_shared

pytestmark = pytest.mark.browser


def add_personal(server: Server, login: str, body: dict[str, str]) -> None:
    account = server.accounts[login]
    with httpx.Client(base_url=server.url(""), timeout=10.0) as http:
        made = http.post("/api/login", json={"login": account.login, "password": account.password})
        assert made.status_code == 200, made.text
        made = http.post("/api/predefined/personal", json=body)
        assert made.status_code == 201, made.text


def test_the_panel_lists_fitting_predefined_answers_and_inserts_one_filled(
    server: Server, new_page: ui.NewPage
) -> None:
    add_shared(server)  # Opening hours /hours, Returns /returns, Hello /hello
    add_personal(server, "ann", {"title": "My returns tip",
                                 "text": "Keep the box, {visitor.name}: returns are easier."})
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    panel = ann.get_by_test_id("kb-panel")
    expect(panel.get_by_test_id("kb-answers-box")).to_be_hidden()

    # The visitor's question: the answers about returns, the operator's own and the shared one.
    ui.widget_say(vera, "How do returns work?")
    titles = panel.get_by_test_id("kb-answers").get_by_test_id("kb-answer-title")
    expect(titles).to_have_text(["My returns tip", "Returns /returns"])
    expect(panel.get_by_test_id("kb-answers-box")).to_be_visible()

    # The search box takes over: "opening hours" finds the hours.
    panel.get_by_test_id("kb-search").fill("opening hours")
    expect(titles).to_have_text(["Opening hours /hours"])
    ann.get_by_test_id("message-input").fill("Sure.")
    panel.get_by_test_id("kb-answer-use").first.click()
    filled = "Hi Vera, we open at 9 (Gold, {visitor.shoe})."  # an unknown variable stays
    expect(ann.get_by_test_id("message-input")).to_have_value(f"Sure.\n\n{filled}")
    expect(ann.get_by_test_id("message-input")).to_be_focused()
    ann.get_by_test_id("message-input").press("Enter")
    expect(ui.widget_texts(vera).last).to_contain_text(filled)

    # Nothing fits: the list goes.
    panel.get_by_test_id("kb-search").fill("zeppelin")
    expect(panel.get_by_test_id("kb-answers-box")).to_be_hidden()
