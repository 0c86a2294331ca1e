"""The manager view's Waiting column: the time since the visitor's oldest unanswered
message (0:00 once an operator answered), a queued dialog's since it was queued."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_an_answered_dialog_waits_0_00_after_70_s_and_a_queued_one_counts(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = new_page("maria")
    maria.clock.install()  # the page's Date.now() and timers, moved by the test
    ui.log_in(maria, server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")

    vera = ui.visitor(new_page, server, "Vera")
    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("assigned")
    ui.widget_say(vera, "Is anyone there?")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Yes, how can I help?")
    expect(ui.widget_texts(vera)).to_contain_text(["Yes, how can I help?"])
    vera_wait = vera_row.get_by_test_id("dialog-wait")
    expect(vera_wait).to_have_text("0:00")

    ui.set_status(ann, "on_break")
    ui.visitor(new_page, server, "Pia")
    pia_row = maria.get_by_test_id("dialog-row").filter(has_text="Pia")
    expect(pia_row.get_by_test_id("dialog-state")).to_have_text("queued")

    maria.clock.fast_forward("01:10")
    expect(vera_wait).to_have_text("0:00")
    expect(vera_wait).not_to_have_class(re.compile(r"\blong\b"))
    pia_wait = pia_row.get_by_test_id("dialog-wait")
    expect(pia_wait).to_have_text(re.compile(r"^1:1\d$"))
    expect(pia_wait).to_have_class(re.compile(r"\blong\b"))

    # A reload takes the engine's figures: still 0:00, and the queued one keeps counting
    # from when it was queued, not from the reload.
    maria.reload()
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    expect(
        maria.get_by_test_id("dialog-row").filter(has_text="Vera").get_by_test_id("dialog-wait")
    ).to_have_text("0:00")
