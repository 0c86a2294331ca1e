"""Chat text, names and notes are text: markup shows literally and runs nothing.

The ``watch`` fixture fails the test on any alert/confirm/prompt dialog, any
script error and any console error in any page (a CSP violation is one).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

ATTACK = "<img src=x onerror=alert(1)>"
NAME_ATTACK = "<b>Eve</b><script>alert(2)</script>"
NOTE_ATTACK = "<svg onload=alert(3)>note"


def test_markup_in_messages_names_and_notes_shows_literally(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "no_new_dialog")
    ui.set_status(ann, "connected")
    eve = ui.visitor(new_page, server, NAME_ATTACK)
    expect(eve.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")

    ui.widget_say(eve, ATTACK)
    eve_tab = ui.tab(ann, NAME_ATTACK)
    eve_tab.click()
    expect(ui.console_texts(ann)).to_have_text([ATTACK])
    expect(ann.get_by_test_id("info-name")).to_have_text(NAME_ATTACK)
    ui.console_say(ann, ATTACK)
    expect(ui.widget_texts(eve)).to_have_text([ATTACK, ATTACK])
    expect(ui.console_texts(ann)).to_have_text([ATTACK, ATTACK])

    # No element was made from the data: no <img>, <b>, <script> or <svg> anywhere (the
    # console's own Manager view icon is an <svg> of the page, not of the data).
    for page in (ann, eve):
        for tag in ("img", "b", "script:not([src])", "svg:not(.role-icon)"):
            assert page.locator(f"body {tag}").count() == 0, f"a <{tag}> appeared"
    assert (
        eve.locator("frontdesk-widget").evaluate(
            "host => host.shadowRoot.querySelectorAll('img, b, script, svg').length"
        )
        == 0
    )

    # A transfer note with markup, shown to the receiver as text.
    ann.get_by_test_id("transfer").click()
    ann.get_by_test_id("transfer-to").select_option("bob")
    ann.get_by_test_id("transfer-note").fill(NOTE_ATTACK)
    ann.get_by_test_id("transfer-submit").click()
    bob_tab = ui.tab(bob, NAME_ATTACK)
    expect(bob_tab.get_by_test_id("tab-transfer-note")).to_have_text(NOTE_ATTACK)
    bob_tab.click()
    expect(ui.console_texts(bob)).to_have_text([ATTACK, ATTACK])
    assert bob.locator("body svg, body img").count() == 0

    # The broken image would have fired by now if it had been made; the watch
    # fixture asserts no dialog and no error at teardown, and here as well:
    assert watch.dialogs == []
    assert watch.problems == []
