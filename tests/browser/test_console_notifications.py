"""Notifications in the console (issue 17 finding 4): a new dialog's tab flashes red at the
top of the list (steady red with reduced motion), a visitor message in a dialog not in view
gives its tab an unread badge, the title counts both, and a desktop notification is shown
once the operator allowed them from the button."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

# Only in this test: record what the page asks of the Notification API, and say the page
# has no focus (the operator looks at another window), so desktop notifications are due.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  const calls = [];
  const shown = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      const { body = "", tag = "" } = options || {};
      calls.push({ title, body, tag });
      shown.push(this);
    }
  }
  window.__notifications = calls;
  window.__shown = shown;
  window.Notification = Recorded;
  document.hasFocus = () => false;
})();
"""


# Only in this test: count the permission requests (answered "default": the user closed it).
COUNT_PERMISSION_REQUESTS = """
(() => {
  window.__asked = 0;
  window.Notification.requestPermission = async () => { window.__asked += 1; return "default"; };
})();
"""


def notified(page: Page) -> list[dict[str, str]]:
    calls: list[dict[str, str]] = page.evaluate("window.__notifications")
    return calls


def tab_names(page: Page) -> list[str]:
    return page.get_by_test_id("tab").get_by_test_id("tab-name").all_inner_texts()


def test_new_dialogs_on_top_unread_badges_title_and_desktop_notifications(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = new_page("ann")
    ann.context.grant_permissions(["notifications"], origin=server.url("/").rstrip("/"))
    ann.add_init_script(RECORD_NOTIFICATIONS)
    ui.log_in(ann, server, "ann")
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    # Granted already (the browser keeps the answer): no button to ask again.
    expect(ann.get_by_test_id("notify-desktop")).to_be_hidden()
    expect(ann.get_by_test_id("notify-state")).to_have_text("Desktop notifications on")
    expect(ann.get_by_test_id("notify-sound")).not_to_be_checked()  # off by default
    ui.set_status(ann, "connected")

    vera = ui.visitor(new_page, server, "Vera")
    expect(ui.tab(ann, "Vera")).to_have_class(re.compile(r"\bflash\b"))
    expect(ann).to_have_title("(1) Console — frontdesk")
    ui.tab(ann, "Vera").click()
    expect(ann).to_have_title("Console — frontdesk")

    # A second visitor: the new tab is at the top, flashing; the title counts it.
    ui.visitor(new_page, server, "Walt")
    expect(ui.tab(ann, "Walt")).to_have_class(re.compile(r"\bflash\b"))
    assert tab_names(ann) == ["Walt", "Vera"]
    expect(ann).to_have_title("(1) Console — frontdesk")
    expect(ann.get_by_test_id("notify-announce")).to_have_text("New dialog with Walt")
    ann.wait_for_function("window.__notifications.length >= 2")
    assert [c["title"] for c in notified(ann)] == ["New dialog with Vera", "New dialog with Walt"]

    # Walt's tab opened: Vera's is not in view; her message gives it a badge, the title counts it.
    ui.tab(ann, "Walt").click()
    expect(ann).to_have_title("Console — frontdesk")
    ui.widget_say(vera, "Are you still there?")
    badge = ui.tab(ann, "Vera").get_by_test_id("tab-unread")
    expect(badge).to_have_attribute("data-unread", "1")
    expect(badge).to_have_text("1 unread message")
    expect(ann).to_have_title("(1) Console — frontdesk")
    expect(ann.get_by_test_id("notify-announce")).to_have_text("New message from Vera")
    ann.wait_for_function("window.__notifications.length >= 3")
    vera_dialog = ui.tab(ann, "Vera").get_attribute("data-dialog")
    assert notified(ann)[2] == {
        "title": "New message from Vera",
        "body": "Are you still there?",
        "tag": f"frontdesk-{vera_dialog}",
    }
    ui.widget_say(vera, "Hello?")
    expect(badge).to_have_attribute("data-unread", "2")
    assert tab_names(ann) == ["Walt", "Vera"]  # reading does not reorder

    # A click on the desktop notification opens that dialog: read, nothing counted.
    ann.evaluate("window.__shown[2].onclick()")
    expect(ui.tab(ann, "Vera")).to_have_attribute("aria-selected", "true")
    expect(ann.get_by_test_id("chat-title")).to_have_text("Vera")
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-unread")).to_have_count(0)
    expect(ann).to_have_title("Console — frontdesk")

    # Opening a tab reads it: no badge, nothing counted.
    ui.tab(ann, "Walt").click()
    ui.widget_say(vera, "Still there?")
    expect(badge).to_have_attribute("data-unread", "1")
    ui.tab(ann, "Vera").click()
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-unread")).to_have_count(0)
    expect(ann).to_have_title("Console — frontdesk")
    # ... and a message in the dialog in view is no news.
    ui.widget_say(vera, "Ah, there you are")
    expect(ui.console_texts(ann).last).to_have_text("Ah, there you are")
    expect(ui.tab(ann, "Vera").get_by_test_id("tab-unread")).to_have_count(0)
    assert len(notified(ann)) == 5


def test_flashing_is_steady_with_reduced_motion_and_the_sound_setting_is_kept(
    server: Server, new_page: ui.NewPage
) -> None:
    ann = new_page("ann")
    ann.emulate_media(reduced_motion="reduce")
    ann.add_init_script(COUNT_PERMISSION_REQUESTS)
    ui.log_in(ann, server, "ann")
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    # Not granted nor refused: the button asks, never the page on load.
    expect(ann.get_by_test_id("notify-desktop")).to_be_visible()
    assert ann.evaluate("window.__asked") == 0
    ann.get_by_test_id("notify-desktop").click()
    ann.wait_for_function("window.__asked === 1")
    ann.get_by_test_id("notify-sound").check()
    ann.reload()
    expect(ann.get_by_test_id("connection")).to_have_text("Online")
    expect(ann.get_by_test_id("notify-sound")).to_be_checked()
    assert ann.evaluate("localStorage.getItem('frontdesk.console.sound')") == "on"
    ann.get_by_test_id("notify-sound").uncheck()  # a click: the audio may start
    ann.get_by_test_id("notify-sound").check()
    ui.set_status(ann, "connected")

    ui.visitor(new_page, server, "Vera")
    tab = ui.tab(ann, "Vera")
    expect(tab).to_have_class(re.compile(r"\bflash\b"))
    # read on the tab in the page at that moment (a render may replace the element)
    ann.wait_for_function("""() => {
      const el = document.querySelector("[data-testid=tab].flash");
      const style = el && getComputedStyle(el);
      return style && style.animationName === "none"
        && style.backgroundColor === "rgb(248, 165, 165)";
    }""")
    ann.wait_for_function("window.frontdeskConsole.notifications.played >= 1")
