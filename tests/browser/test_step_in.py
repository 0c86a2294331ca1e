"""A manager steps in (issue 16), in Chromium: an internal message the operator answers in
the Internal tab while the visitor's page shows nothing of it; a message to the visitor that
both pages show, the console marking it as the manager's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_internal_message_and_speaking_to_the_visitor(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Where is my refund?")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["Where is my refund?"])

    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Ann")
    vera_row.get_by_test_id("monitor").click()
    expect(maria.get_by_test_id("monitor-msg")).to_contain_text(["Where is my refund?"])

    # an internal message: the operator's Internal tab counts it unread, then shows it
    maria.get_by_test_id("step-in-text").fill("Offer the refund, it is approved")
    maria.get_by_test_id("step-in-internal").click()
    expect(ann.get_by_test_id("internal-unread")).to_have_text("1")
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-internal-unread")).to_have_text("✉ 1")
    ann.get_by_test_id("internal-tab").click()
    internal = ann.get_by_test_id("internal-history").get_by_test_id("msg")
    expect(internal).to_have_count(1)
    expect(internal).to_contain_text("Offer the refund, it is approved")
    expect(internal).to_contain_text("Maria (manager, internal)")
    expect(ann.get_by_test_id("internal-unread")).to_be_hidden()
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-internal-unread")).to_have_count(0)
    # the visitor-facing history of the console does not hold it
    expect(ui.console_texts(ann)).to_have_text(["Where is my refund?"])

    ann.get_by_test_id("internal-input").fill("Done, thanks")
    ann.get_by_test_id("internal-input").press("Enter")
    expect(internal).to_have_count(2)
    expect(maria.get_by_test_id("monitor-msg")).to_contain_text(
        ["Where is my refund?", "Offer the refund, it is approved", "Done, thanks"]
    )

    # the manager writes to the visitor: the widget shows it under the manager's name,
    # the console marks it
    maria.get_by_test_id("step-in-text").fill("Hello Vera, I am the supervisor")
    maria.get_by_test_id("step-in-say").click()
    expect(ui.widget_texts(vera)).to_have_text(
        ["Where is my refund?", "Hello Vera, I am the supervisor"]
    )
    expect(vera.get_by_test_id("fd-msg").last).to_contain_text("Maria")
    expect(ui.console_texts(ann)).to_have_text(
        ["Where is my refund?", "Hello Vera, I am the supervisor"]
    )
    expect(ann.get_by_test_id("history").get_by_test_id("msg").last).to_contain_text(
        "Maria (manager, to the visitor)"
    )

    # nothing internal on the visitor's page, ever
    ui.widget_say(vera, "Great")
    expect(ui.console_texts(ann)).to_contain_text(["Great"])
    page_text = vera.get_by_test_id("fd-chat").inner_text()
    assert "Offer the refund" not in page_text and "Done, thanks" not in page_text
    assert "internal" not in page_text


def test_the_manager_takes_a_dialog_over_for_another_operator(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(ui.tab(ann, "Vera")).to_have_count(1)
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "connected")

    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Ann")
    vera_row.get_by_test_id("monitor").click()
    expect(maria.get_by_test_id("take-over-to")).to_have_text("Bob")
    maria.get_by_test_id("take-over-submit").click()
    expect(ui.tab(bob, "Vera")).to_have_count(1)
    note = ui.tab(bob, "Vera").get_by_test_id("tab-transfer-note")
    expect(note).to_have_text("taken over by Maria")
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Bob")
    expect(vera.get_by_test_id("fd-note").last).to_have_text("Your chat was transferred to Bob.")


def test_the_manager_takes_a_queued_dialog_for_an_operator_on_break(
    server: Server, new_page: ui.NewPage
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "on_break")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Anyone there?")
    vera_row = maria.get_by_test_id("dialog-row").filter(has_text="Vera")
    expect(vera_row.get_by_test_id("dialog-state")).to_have_text("queued")
    vera_row.get_by_test_id("monitor").click()
    expect(maria.get_by_test_id("take-over-to")).to_have_text("Bob")
    maria.get_by_test_id("take-over-submit").click()
    expect(ui.tab(bob, "Vera")).to_have_count(1)
    expect(vera_row.get_by_test_id("dialog-operator")).to_have_text("Bob")
    expect(maria.get_by_test_id("queue-item")).to_have_count(0)
