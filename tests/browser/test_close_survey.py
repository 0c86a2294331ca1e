"""The survey a close sends (``[surveys] on_close``) in Chromium: the operator closes the
dialog, the visitor's widget keeps the ended chat with the survey's sidebar open (focused
heading, keyboard, axe, 375 px), still there after a reload, answered once; the operator's
history of the closed dialog and the manager's results show the answers.

The ``watch`` fixture fails the test on any script error, console error or alert.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server
from .test_axe import serious_violations
from .test_surveys import add_survey

pytestmark = pytest.mark.browser


def test_the_operator_closes_and_the_visitor_answers_the_survey_in_the_ended_chat(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(r"Applying inline style violates the following Content Security Policy")  # axe's
    server = server_with_config('[surveys]\non_close = "Quick"\nanswer_window_s = 3600\n')
    add_survey(server)  # created after the start: the next close sends it
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    vera.set_viewport_size({"width": 375, "height": 740})
    ui.widget_say(vera, "Hello")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Hi Vera")
    expect(ui.widget_texts(vera)).to_have_text(["Hello", "Hi Vera"])
    ui.close_dialog(ann)

    sidebar = vera.get_by_test_id("fd-survey")
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("heading", name="Quick")).to_be_focused()
    expect(sidebar).to_contain_text("Before you go: Ann would like to know how the chat went.")
    expect(ui.widget_texts(vera)).to_have_text(["Hello", "Hi Vera"])  # the chat is kept

    vera.reload()  # the kept dialog and token: the survey is still there
    expect(vera.get_by_test_id("fd-panel")).to_be_visible()  # it was open: it opens again
    expect(sidebar).to_be_visible()
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()

    rating = sidebar.get_by_role("group", name="How was it? (required)")
    rating.get_by_role("radio", name="1").focus()
    rating.get_by_role("radio", name="1").press("Space")
    for n in ("1", "2", "3"):
        rating.get_by_role("radio", name=n).press("ArrowRight")
    expect(rating.get_by_role("radio", name="4")).to_be_checked()
    sidebar.get_by_role("radio", name="Yes").check()
    sidebar.get_by_label("Anything else?").fill("Fast, thanks")
    box = sidebar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits 375 px
    assert serious_violations(vera) == []
    sidebar.get_by_role("button", name="Send answers").click()
    expect(sidebar).to_be_hidden()
    expect(vera.get_by_test_id("fd-messages")).to_contain_text(
        "Thank you for answering the survey.")
    vera.reload()
    expect(vera.get_by_test_id("fd-panel")).to_be_visible()  # it was open: it opens again
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()
    expect(sidebar).to_be_hidden()  # answered once: not offered again

    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    result = maria.get_by_test_id("survey-result")
    expect(result).to_contain_text("Sent 1, answered 1 (100 %); average rating 4.")
    expect(result).to_contain_text("Fast, thanks")
    expect(maria.get_by_test_id("survey-operators").locator("tbody tr")).to_have_text(
        ["Ann11100 %4"])


STORED = "Object.keys(localStorage).filter((k) => k.startsWith('frontdesk.widget:'))"


def test_end_chat_keeps_the_dialog_until_its_close_survey_is_answered(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage
) -> None:
    server = server_with_config('[surveys]\non_close = "Quick"\n')
    add_survey(server)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    vera.get_by_test_id("fd-close").click()
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chat ended")
    sidebar = vera.get_by_test_id("fd-survey")
    expect(sidebar).to_be_visible()
    assert len(vera.evaluate(STORED)) == 1  # kept: a reload now still finds the survey
    sidebar.get_by_role("group", name="How was it? (required)").get_by_role(
        "radio", name="5").check()
    sidebar.get_by_role("button", name="Send answers").click()
    expect(sidebar).to_be_hidden()
    expect(vera.get_by_test_id("fd-messages")).to_contain_text(
        "Thank you for answering the survey.")
    assert vera.evaluate(STORED) == []  # answered: End chat forgets the dialog now
