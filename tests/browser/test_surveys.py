"""Surveys: a manager defines a template in the manager view (the server's refusal naming
the field shown), changes and deletes it; an operator sends one from the console's
drop-down, the visitor answers it in the widget's sidebar (keyboard, axe, 375 px), the
operator sees the answers in the history and the manager sees them in the results.

The ``watch`` fixture fails the test on any script error, console error or alert.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server
from .test_axe import serious_violations

pytestmark = pytest.mark.browser


def test_a_manager_defines_changes_and_deletes_a_survey(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(r"status of 400")  # the refused save below: shown, as it should be
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    section = maria.get_by_test_id("surveys")
    section.scroll_into_view_if_needed()
    expect(section.get_by_test_id("surveys-none")).to_be_visible()
    maria.get_by_test_id("survey-title").fill("After the chat")
    first = section.get_by_test_id("survey-question").nth(0)
    first.get_by_label("Question", exact=True).fill("How did we do?")
    section.get_by_role("button", name="Add a question").click()
    second = section.get_by_test_id("survey-question").nth(1)
    expect(second.get_by_label("Options, one per line")).to_be_hidden()  # a rating: none
    second.get_by_label("Kind").select_option("single")
    second.get_by_label("Question", exact=True).fill("Solved?")
    second.get_by_label("Options, one per line").fill("Yes")
    section.get_by_role("button", name="Save").click()
    expect(section.get_by_test_id("survey-error")).to_have_text(
        "questions[1].options: expected 2 to 10 options, got 1")
    second.get_by_label("Options, one per line").fill("Yes\nNo\n")
    section.get_by_role("button", name="Save").click()
    expect(section.get_by_test_id("surveys-item-title")).to_have_text(["After the chat"])
    expect(section.get_by_test_id("surveys-item")).to_contain_text("2 questions")

    section.get_by_role("button", name="Edit After the chat").click()
    expect(section.get_by_test_id("survey-question")).to_have_count(2)
    expect(section.get_by_test_id("survey-question").nth(1).get_by_label("Options, one per line")
           ).to_have_value("Yes\nNo")
    section.get_by_test_id("survey-question").nth(1).get_by_role(
        "button", name="Remove this question").click()
    maria.get_by_test_id("survey-title").fill("Quick")
    section.get_by_role("button", name="Save").click()
    expect(section.get_by_test_id("surveys-item")).to_contain_text("1 question")
    section.get_by_role("button", name="Delete Quick").click()
    expect(section.get_by_test_id("surveys-none")).to_be_visible()


QUICK = {"title": "Quick", "questions": [
    {"kind": "rating", "text": "How was it?", "required": True},
    {"kind": "single", "text": "Solved?", "options": ["Yes", "No"]},
    {"kind": "text", "text": "Anything else?"}]}


def add_survey(server: Server) -> None:
    maria = server.accounts["maria"]
    with httpx.Client(base_url=server.url(""), timeout=10.0) as http:
        login = http.post("/api/login", json={"login": maria.login, "password": maria.password})
        assert login.status_code == 200, login.text
        made = http.post("/api/surveys", json=QUICK)
        assert made.status_code == 201, made.text


def test_the_operator_sends_a_survey_and_the_visitor_answers_it_in_the_sidebar(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(r"Applying inline style violates the following Content Security Policy")  # axe's
    add_survey(server)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    vera.set_viewport_size({"width": 375, "height": 740})
    ui.widget_say(vera, "Hello")
    ui.tab(ann, "Vera").click()
    ann.get_by_label("Survey to send").focus()
    ann.get_by_label("Survey to send").select_option(label="Quick")
    ann.get_by_role("button", name="Send survey").click()
    expect(ann.get_by_test_id("history")).to_contain_text("Survey “Quick” sent by Ann.")

    sidebar = vera.get_by_test_id("fd-survey")
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("heading", name="Quick")).to_be_focused()
    sidebar.get_by_role("button", name="Send answers").click()  # the rating is required
    expect(sidebar.get_by_test_id("fd-survey-problem")).to_have_text(
        "Please answer question 1: it is required.")
    rating = sidebar.get_by_role("group", name="How was it? (required)")
    expect(rating.get_by_role("radio", name="1")).to_be_focused()
    rating.get_by_role("radio", name="1").press("ArrowRight")  # radios move with the arrows
    rating.get_by_role("radio", name="2").press("ArrowRight")
    rating.get_by_role("radio", name="3").press("ArrowRight")
    expect(rating.get_by_role("radio", name="4")).to_be_checked()
    sidebar.get_by_role("radio", name="Yes").check()
    sidebar.get_by_label("Anything else?").fill("Quick answer, thanks")
    box = sidebar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits 375 px
    assert serious_violations(vera) == []

    sidebar.get_by_role("button", name="Send answers").click()
    expect(sidebar).to_be_hidden()
    expect(ui.widget_texts(vera).last).to_be_visible()
    expect(vera.get_by_test_id("fd-messages")).to_contain_text(
        "Thank you for answering the survey.")
    answers = ann.get_by_test_id("survey-answers")
    expect(answers).to_contain_text("How was it?")
    expect(answers.locator("dd")).to_have_text(["4 of 5", "Yes", "Quick answer, thanks"])

    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    result = maria.get_by_test_id("survey-result")
    expect(result).to_contain_text("Sent 1, answered 1 (100 %); average rating 4.")
    expect(result.get_by_test_id("survey-chart")).to_have_count(1)  # the single choice's bars
    expect(result).to_contain_text("Yes: 1")
    expect(result).to_contain_text("Quick answer, thanks")
    expect(maria.get_by_test_id("survey-operators").locator("tbody tr")).to_have_text(
        ["Ann11100 %4"])
