"""A monitored dialog: the operator opens it from the console (the manager view marks it), the
person's mail reaches a real SMTP server (aiosmtpd in this process), its link opens the widget
in Chromium on that very dialog, the person writes and the operator sees it; the link works
once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.mail.smtp_server import SmtpServer

from . import pages as ui
from .server import Server
from .test_transcript_mail import mail_config, smtp

pytestmark = pytest.mark.browser
__all__ = ["smtp"]  # the SMTP server fixture, shared with the transcript's test

LINK = re.compile(r"https?://\S+#frontdesk-link=d-\d+\.[A-Za-z0-9_-]+")


def test_the_person_follows_the_link_and_the_operator_sees_them_write(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, smtp: SmtpServer,
    watch: ui.PageWatch,
) -> None:
    server = server_with_config(mail_config(smtp))
    ann = ui.operator(new_page, server, "ann")
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    ann.get_by_test_id("new-monitored").click()
    expect(ann.get_by_test_id("monitored-dialog")).to_be_visible()
    ann.get_by_test_id("monitored-submit").click()  # nothing filled in: said so, not sent
    expect(ann.get_by_test_id("monitored-error")).to_have_text("Please give a name.")
    ann.get_by_test_id("monitored-name").fill("Pat")
    ann.get_by_test_id("monitored-email").fill("pat@example.com")
    ann.get_by_test_id("monitored-text").fill("As said on the phone: does Tuesday suit you?")
    ann.get_by_test_id("monitored-submit").click()
    expect(ann.get_by_test_id("monitored-dialog")).to_be_hidden()
    tab = ui.tab(ann, "Pat")
    expect(tab.get_by_test_id("tab-monitored")).to_have_text("monitored")
    row = maria.get_by_test_id("dialog-row").filter(has_text="Pat")  # live, then on reload
    expect(row).to_contain_text("monitored dialog of ann")
    maria.reload()
    expect(maria.get_by_test_id("dialog-row").filter(has_text="Pat")).to_contain_text(
        "monitored dialog of ann")

    (got,) = smtp.inbox.wait_blocking(1, timeout_s=15)
    assert got.recipients == ["pat@example.com"]
    text = got.message.get_body(("plain",))
    assert text is not None
    found = LINK.search(text.get_content())
    assert found is not None and found.group(0).startswith(server.url("/demo"))

    pat = new_page("person Pat")
    pat.goto(found.group(0))
    expect(pat.get_by_test_id("fd-chat")).to_be_visible()
    expect(ui.widget_texts(pat).first).to_have_text(
        re.compile("As said on the phone: does Tuesday suit you?"))
    assert "frontdesk-link" not in pat.url  # the token left the address bar
    ui.widget_say(pat, "Tuesday is fine")
    tab.click()
    expect(ui.console_texts(ann).last).to_have_text("Tuesday is fine")
    expect(ann.get_by_test_id("history")).to_contain_text(
        "ann opened this monitored dialog for Pat")
    ui.console_say(ann, "Booked.")
    expect(ui.widget_texts(pat).last).to_have_text(re.compile("Booked."))

    watch.allow("status of 410")  # the refused exchange, as the browser logs it
    other = new_page("someone else")
    other.goto(found.group(0))  # the same link again: refused in the widget, nothing else
    expect(other.get_by_test_id("fd-error")).to_have_text(re.compile("used already"))
    ui.widget_say(pat, "see you")
    expect(ui.console_texts(ann).last).to_have_text("see you")
