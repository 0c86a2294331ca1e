"""Surveys in the manager view: a manager defines a template (questions of each kind), the
server's refusal naming the field is shown, and a template is changed and deleted.

The ``watch`` fixture fails the test on any script error, console error or alert.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

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
