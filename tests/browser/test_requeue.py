"""An operator's browser goes away mid-chat (issue 17, finding 3): after
``server.operator_grace_s`` with no socket their dialog is back at the head of the
queue, the visitor is told they keep their place, another operator takes it, and the
visitor's page goes on with them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_a_vanished_operators_dialog_is_taken_by_another(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage
) -> None:
    server = server_with_config("[server]\noperator_grace_s = 1\n")
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "no_new_dialog")  # so the dialog goes to Ann
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "My parcel never came.")
    expect(ui.tab(ann, "Vera")).to_be_visible()
    ui.set_status(bob, "connected")

    ann.context.close()  # Ann's browser is gone: every socket of hers closes at once

    requeued = vera.locator("[data-kind='dialog.requeued']")
    expect(requeued).to_have_text(
        "Your operator was disconnected. You keep your place at the head of the queue;"
        " the next operator will answer."
    )
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Bob")
    ui.tab(bob, "Vera").click()
    expect(ui.console_texts(bob)).to_have_text(["My parcel never came."])
    ui.console_say(bob, "I am Bob, I will look into it.")
    expect(ui.widget_texts(vera)).to_have_text(
        ["My parcel never came.", "I am Bob, I will look into it."]
    )
    ui.widget_say(vera, "Thank you, Bob.")
    expect(ui.console_texts(bob)).to_have_text(
        ["My parcel never came.", "I am Bob, I will look into it.", "Thank you, Bob."]
    )
