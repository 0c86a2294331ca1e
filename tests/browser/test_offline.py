"""Outside the opening hours the widget offers the offline form: the message reaches a real
SMTP server (aiosmtpd) and the manager's list, where it is marked handled."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from tests.mail.smtp_server import SmtpServer

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser

CLOSED_ALL_WEEK = "".join(f'{day} = ""\n' for day in
                          ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_outside_the_hours_the_offline_message_reaches_the_team_and_the_manager(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage, smtp: SmtpServer,
) -> None:
    server = server_with_config(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
        'from_address = "desk@example.com"\nretry_initial_s = 0.2\n'
        f'[hours]\ntime_zone = "Europe/Paris"\n{CLOSED_ALL_WEEK}'
        '[offline]\nnotify_address = "team@example.com"\n')
    page = new_page("visitor Vera")
    page.goto(server.url("/demo"))
    page.get_by_test_id("fd-launcher").click()
    form = page.get_by_test_id("fd-offline-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("fd-start-form")).to_be_hidden()
    expect(page.get_by_test_id("fd-offline-why")).to_have_text("We're closed right now.")
    expect(page.get_by_test_id("fd-offline-opens")).to_be_hidden()  # never opens
    page.get_by_test_id("fd-offline-name").fill("Vera")
    page.get_by_test_id("fd-offline-email").fill("vera@example.com")
    page.get_by_test_id("fd-offline-message").fill("Is my <b>bike</b> ready?")
    page.get_by_test_id("fd-offline-send").click()
    expect(page.get_by_test_id("fd-offline-status")).to_have_text(
        "Thank you! We got your message and will answer at vera@example.com.")

    (got,) = smtp.inbox.wait_blocking(1, timeout_s=15)
    assert got.recipients == ["team@example.com"]
    assert got.message["Reply-To"] == "vera@example.com"
    text = got.message.get_body(("plain",))
    assert text is not None and "Is my <b>bike</b> ready?" in text.get_content()

    maria = ui.log_in(new_page("manager maria"), server, "maria", "/manager")
    item = maria.get_by_test_id("offline-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("offline-text")).to_have_text("Is my <b>bike</b> ready?")
    expect(maria.get_by_test_id("offline-count")).to_have_text("1")
    item.get_by_test_id("offline-mark").click()
    expect(item.get_by_test_id("offline-handled")).to_have_text("Handled by maria")
    expect(maria.get_by_test_id("offline-count")).to_have_text("0")


def test_a_queued_visitor_sees_the_estimated_wait_once_there_is_history(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage,
) -> None:
    server = server_with_config("[engine]\ndefault_capacity = 1\n")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "on_break")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    expect(vera.get_by_test_id("fd-wait")).to_be_hidden()  # no assignment yet: no guess
    ui.set_status(ann, "connected")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    pia = ui.visitor(new_page, server, "Pia")  # Ann is at capacity: Pia waits
    expect(pia.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    expect(pia.get_by_test_id("fd-wait")).to_have_text("Estimated wait: less than a minute")
