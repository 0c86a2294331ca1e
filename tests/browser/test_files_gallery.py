"""The gallery in the pages (Chromium): a manager adds, renames and deletes items; the
operator opens the picker from the answer box, searches by name and sends an image into the
dialog; the visitor sees it with its thumbnail."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Route, expect

from tests.files import samples

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_the_manager_fills_the_gallery_and_the_operator_sends_an_item(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch, tmp_path: Path,
) -> None:
    (tmp_path / "hours.png").write_bytes(samples.png(300, 150))
    (tmp_path / "returns.pdf").write_bytes(samples.pdf())
    maria = ui.log_in(new_page("manager"), server, "maria", "/manager")
    items = maria.get_by_test_id("gallery-items").get_by_test_id("gallery-item")
    for name, path in (("Opening hours", "hours.png"), ("Returns form", "returns.pdf"),
                       ("Old price list", "returns.pdf")):
        maria.get_by_test_id("gallery-file").set_input_files(tmp_path / path)
        maria.get_by_test_id("gallery-name-input").fill(name)
        maria.get_by_test_id("gallery-add").click()
        expect(items.get_by_test_id("gallery-name").get_by_text(name, exact=True)).to_be_visible()
    old = items.filter(has_text="Old price list")
    old.get_by_test_id("gallery-delete").click()
    expect(items).to_have_count(2)
    returns = items.filter(has=maria.get_by_text("Returns form", exact=True))
    returns.get_by_test_id("gallery-rename-input").fill("Returns form 2026")
    returns.get_by_test_id("gallery-rename").click()
    expect(items.get_by_test_id("gallery-name")).to_have_text(["Opening hours",
                                                               "Returns form 2026"])

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("gallery-open").click()
    picker = ann.get_by_test_id("gallery-picker")
    expect(picker.get_by_test_id("gallery-item")).to_have_count(2)
    picker.get_by_test_id("gallery-search").fill("hours")
    expect(picker.get_by_test_id("gallery-item")).to_have_count(1)
    picker.get_by_test_id("gallery-send").click()
    expect(picker).to_be_hidden()
    expect(ann.get_by_test_id("history").get_by_test_id("file-link")).to_have_text(["hours.png"])
    expect(vera.get_by_test_id("fd-file-link")).to_have_text(["hours.png"])
    expect(vera.get_by_test_id("fd-file-thumb")).to_have_count(1)
    assert watch.problems == [] and watch.dialogs == []


def test_the_gallery_form_cannot_be_sent_before_its_module_runs(
    server: Server, new_page: ui.NewPage,
) -> None:
    """A click on Add before manager_gallery.js ran used to submit the form natively: the
    page reloaded and the chosen file and name were gone (a CI flake found it)."""
    page = new_page("manager")
    held: list[Route] = []

    def hold(route: Route) -> None:  # playwright wants a function of its own, not a bound method
        held.append(route)

    page.route("**/js/manager_gallery.js", hold)
    maria = ui.log_in(page, server, "maria", "/manager", loaded=False)  # it never loads: held
    # module scripts run in document order: the shared answers' form waits as well
    for button in ("gallery-add", "answer-save"):
        expect(maria.get_by_test_id(button)).to_be_disabled()
    held[0].continue_()
    for button in ("gallery-add", "answer-save"):
        expect(maria.get_by_test_id(button)).to_be_enabled()
