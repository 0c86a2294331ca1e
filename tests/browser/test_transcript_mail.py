"""The operator e-mails the transcript (it arrives at a real SMTP server, aiosmtpd in this
process) and the dialog shows the staff-only outcome; then the print view."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.mail.smtp_server import SmtpServer

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

PRINT_SPY = "window.__printed = 0; window.print = () => { window.__printed += 1; };"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def mail_config(smtp: SmtpServer) -> str:
    return (f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
            'from_address = "desk@example.com"\nreply_to = "team@example.com"\n'
            "retry_initial_s = 0.2\n")


def test_the_operator_mails_the_transcript_and_prints_the_dialog(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, smtp: SmtpServer,
    watch: ui.PageWatch, tmp_path: Path,
) -> None:
    server = server_with_config(mail_config(smtp))
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(vera, "Is my <b>bike</b> ready?")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Yes & it is washed too.")
    expect(ui.widget_texts(vera)).to_have_count(2)

    ann.get_by_test_id("mail-transcript").click()
    expect(ann.get_by_test_id("mail-dialog")).to_be_visible()
    ann.get_by_test_id("mail-to").fill("not an address@")
    ann.get_by_test_id("mail-submit").click()  # the browser's own check refuses it first
    expect(ann.get_by_test_id("mail-dialog")).to_be_visible()
    ann.get_by_test_id("mail-to").fill("vera@example.com")
    ann.get_by_test_id("mail-note").fill("Here is our chat, as promised.")
    ann.get_by_test_id("mail-submit").click()
    expect(ann.get_by_test_id("mail-dialog")).to_be_hidden()

    (got,) = smtp.inbox.wait_blocking(1, timeout_s=15)
    msg = got.message
    assert got.recipients == ["vera@example.com"]
    assert msg["Reply-To"] == "team@example.com" and msg["Auto-Submitted"] == "auto-generated"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert "Here is our chat, as promised." in text.get_content()
    assert "Vera: Is my <b>bike</b> ready?" in text.get_content()
    assert "Is my &lt;b&gt;bike&lt;/b&gt; ready?" in html.get_content()
    assert "Yes &amp; it is washed too." in html.get_content()

    entry = ann.locator('[data-kind="dialog.mail"]')
    expect(entry).to_have_text("Transcript sent to vera@example.com.")
    ui.widget_say(vera, "Got it, thanks")  # the visitor is past the entry and never saw it
    expect(ui.console_texts(ann).last).to_have_text("Got it, thanks")
    expect(vera.get_by_text(re.compile("Transcript sent"))).to_have_count(0)

    check_the_print_view(ann, watch, tmp_path)


def check_the_print_view(ann: Page, watch: ui.PageWatch, tmp_path: Path) -> None:
    """Print opens the print view in a new tab: the facts, every entry as text, no app
    chrome, and the print dialog once (a spy stands in for the real one)."""
    ann.context.add_init_script(PRINT_SPY)
    with ann.context.expect_page() as opened:
        ann.get_by_test_id("print").click()
    printed = watch.attach(opened.value, "print view")
    expect(printed).to_have_url(re.compile(r"/dialogs/d-\d+/print$"))
    expect(printed.locator("body")).to_have_attribute("data-ready", "true")
    assert printed.evaluate("window.__printed") == 1
    expect(printed.get_by_test_id("print-facts")).to_contain_text("Vera")
    expect(printed.get_by_test_id("print-facts")).to_contain_text("Ann")
    expect(printed.get_by_test_id("print-facts")).to_contain_text("still open")
    expect(printed.get_by_test_id("print-facts")).to_contain_text(
        "transcript to vera@example.com: sent (1 try)")
    rows = printed.get_by_test_id("print-entry")
    expect(rows.filter(has_text="Is my <b>bike</b> ready?")).to_have_count(1)
    expect(rows.filter(has_text="Transcript sent to vera@example.com.")).to_have_count(1)
    assert printed.locator("b").count() == 0  # text, never HTML
    assert printed.locator(".topbar, #tabs, #compose").count() == 0  # no app chrome
    printed.emulate_media(media="print")
    ui.save_screenshot(printed, "print-view.png")
    printed.screenshot(path=str(tmp_path / "print-view.png"), full_page=True)
    assert (tmp_path / "print-view.png").stat().st_size > 0


def test_the_visitor_asks_for_the_transcript_when_the_chat_ends(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, smtp: SmtpServer,
) -> None:
    server = server_with_config(mail_config(smtp))
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "When do you open tomorrow?")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "At nine.")
    expect(ui.widget_texts(vera)).to_have_count(2)
    ui.close_dialog(ann)
    expect(vera.get_by_test_id("fd-ended")).to_be_visible()

    vera.get_by_test_id("fd-transcript-to").fill("vera@example.com")
    vera.get_by_test_id("fd-transcript-send").click()
    expect(vera.get_by_test_id("fd-transcript-status")).to_have_text(
        "On its way to vera@example.com.")
    (got,) = smtp.inbox.wait_blocking(1, timeout_s=15)
    assert got.recipients == ["vera@example.com"]
    text = got.message.get_body(("plain",))
    assert text is not None and "Ann: At nine." in text.get_content()
    assert "The chat was closed." in text.get_content()
