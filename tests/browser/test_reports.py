"""The manager view's Reports section: today's report matches the dialogs the test made
(Ann takes two dialogs and transfers one to Bob), and the CSV link carries the same period;
the live charts render with their text alternative."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_todays_report_matches_the_dialogs_made(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch,
) -> None:
    watch.allow(r"status of 400")  # the refused period at the end, on purpose
    ann = ui.operator(new_page, server, "ann")
    bob = ui.operator(new_page, server, "bob")
    ui.set_status(bob, "no_new_dialog")  # both dialogs go to Ann
    ui.set_status(ann, "connected")
    for name in ("Vera", "Pia"):
        page = ui.visitor(new_page, server, name)
        expect(page.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
        ui.widget_say(page, f"Hello, {name} here")
        ui.tab(ann, name).click()
        ui.console_say(ann, f"Hi {name}")
        expect(ui.widget_texts(page)).to_have_count(2)
    ann.get_by_test_id("transfer").click()  # Pia's, the dialog shown
    ann.get_by_test_id("transfer-to").select_option("bob")
    ann.get_by_test_id("transfer-submit").click()
    expect(ui.tab(bob, "Pia")).to_be_visible()

    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")

    charts_render_with_their_text_alternative(maria)

    section = maria.get_by_test_id("reports")
    section.get_by_test_id("report-show").click()
    rows = section.get_by_test_id("report-row")
    expect(rows).to_have_count(2)
    ann_row = rows.filter(has_text="Ann")
    expect(ann_row.get_by_test_id("report-dialogs")).to_have_text("2")
    expect(ann_row.get_by_test_id("report-transfers")).to_have_text("0 / 1")
    expect(ann_row.get_by_test_id("report-first-response")).to_have_text(
        re.compile(r"^\d+:\d\d / \d+:\d\d$"))
    expect(ann_row.get_by_test_id("report-status")).to_contain_text("Connected")
    bob_row = rows.filter(has_text="Bob")
    expect(bob_row.get_by_test_id("report-dialogs")).to_have_text("1")
    expect(bob_row.get_by_test_id("report-transfers")).to_have_text("1 / 0")
    expect(bob_row.get_by_test_id("report-first-response")).to_have_text("—")
    total = section.get_by_test_id("report-total-row")
    expect(total.get_by_test_id("report-dialogs")).to_have_text("3")
    expect(section.get_by_test_id("report-caption")).to_contain_text("2 dialogs opened")

    # The CSV link asks the same period; what it downloads is the table's figures.
    href = section.get_by_test_id("report-csv").get_attribute("href")
    assert href is not None and "format=csv" in href
    account = server.accounts["maria"]
    exported = httpx.get(server.url(href), auth=(account.login, account.password))
    assert exported.status_code == 200
    lines = exported.text.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["ann", "bob", "total"]

    # A refused period says why, in the section.
    section.get_by_test_id("report-to").fill("2000-01-01")
    section.get_by_test_id("report-show").click()
    expect(section.get_by_test_id("report-message")).to_contain_text(
        "to: expected a day on or after from")
    expect(rows).to_have_count(0)  # the earlier period's table is not left as this one's
    section.scroll_into_view_if_needed()
    ui.save_screenshot(maria, "manager-reports.png")

    fits_at_375_px(maria, section)


def charts_render_with_their_text_alternative(maria: Page) -> None:
    """The live charts (two dialogs open, none queued; Ann connected, Bob not taking any):
    SVG with a text alternative giving the figures, and a visually hidden table."""
    load = maria.get_by_test_id("chart-load-svg")
    expect(load).to_have_attribute("role", "img")
    expect(load.locator("title")).to_have_text(re.compile(r"queue 0 now .*dialogs open 2 now"))
    expect(maria.get_by_test_id("chart-line-open")).to_have_count(1)
    expect(maria.get_by_test_id("chart-load-table").locator("tbody tr")).to_have_count(1)
    expect(maria.get_by_test_id("chart-load-table").locator("tbody td")).to_have_text(["0", "2"])
    status = maria.get_by_test_id("chart-status-svg")
    expect(status.locator("> title")).to_have_text(
        re.compile(r"Ann: Connected \d+:\d\d.*Bob: No new dialog \d+:\d\d"))
    expect(maria.get_by_test_id("chart-status-bar")).to_have_count(2)
    ann_bar = maria.locator("[data-testid=chart-status-bar][data-operator=ann]")
    expect(ann_bar.locator("rect.status-connected")).to_have_count(1)
    expect(maria.get_by_test_id("chart-status-table").locator("tbody tr")).to_have_count(2)
    ui.save_screenshot(maria, "manager-charts.png")


def fits_at_375_px(maria: Page, section: Locator) -> None:
    """At 375 px the section, its form and the charts fit; the table scrolls in its own box."""
    maria.set_viewport_size({"width": 375, "height": 700})
    for box in (section, section.get_by_test_id("report-form"),
                maria.get_by_test_id("chart-load-svg"), maria.get_by_test_id("chart-status-svg")):
        bounds = box.bounding_box()
        assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 375
    section.scroll_into_view_if_needed()
    ui.save_screenshot(maria, "manager-reports-375.png")
