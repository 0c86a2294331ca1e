"""Files in the pages (Chromium): the visitor sends an image and a PDF from the widget, the
operator sees the thumbnail and downloads both; an SVG carrying a script and an HTML page
are refused, and no script of theirs runs anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_transcript_mail import PRINT_SPY
from tests.files import samples

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def _files(tmp_path: Path) -> dict[str, Path]:
    made = {"photo.png": samples.png(400, 300), "invoice.pdf": samples.pdf(),
            "cat.svg": samples.SVG_WITH_SCRIPT, "page.html": samples.HTML_PAGE}
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


THUMBNAIL_LOADED = ("() => [...document.querySelectorAll('[data-testid=file-thumb]')]"
                    ".some((img) => img.complete && img.naturalWidth > 0)")


def test_the_visitor_sends_an_image_and_a_pdf_and_the_operator_downloads_both(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch, tmp_path: Path,
) -> None:
    watch.allow("status of 415")  # the browser logs the refused uploads' answers
    files = _files(tmp_path)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    expect(vera.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    vera.get_by_test_id("fd-file-input").set_input_files(files["photo.png"])
    expect(vera.get_by_test_id("fd-upload-status")).to_have_text("")
    expect(vera.get_by_test_id("fd-file-link")).to_have_count(1)
    vera.get_by_test_id("fd-file-input").set_input_files(files["invoice.pdf"])
    expect(vera.get_by_test_id("fd-file-link")).to_have_count(2)
    expect(vera.get_by_test_id("fd-file-thumb")).to_have_count(1)

    ui.tab(ann, "Vera").click()
    links = ann.get_by_test_id("history").get_by_test_id("file-link")
    expect(links).to_have_text(["photo.png", "invoice.pdf"])
    expect(ann.get_by_test_id("file-thumb")).to_have_count(1)
    ann.wait_for_function(THUMBNAIL_LOADED, timeout=10_000)
    for link, name in ((links.nth(0), "photo.png"), (links.nth(1), "invoice.pdf")):
        with ann.expect_download() as got:
            link.click()
        download = got.value
        assert download.suggested_filename == name
        assert Path(download.path()).read_bytes() == files[name].read_bytes()

    for hostile, detected in (("cat.svg", "image/svg+xml"), ("page.html", "text/html")):
        vera.get_by_test_id("fd-file-input").set_input_files(files[hostile])
        expect(vera.get_by_test_id("fd-upload-status")).to_contain_text(f"got {detected}")
    expect(vera.get_by_test_id("fd-file-link")).to_have_count(2)
    expect(links).to_have_count(2)
    assert vera.evaluate("() => window.pwned") is None
    assert ann.evaluate("() => window.pwned") is None
    ui.widget_say(vera, "Did you get them?")  # the dialog goes on
    expect(ui.console_texts(ann).last).to_have_text("Did you get them?")
    ann.context.add_init_script(PRINT_SPY)
    with ann.context.expect_page() as opened:  # the print view names the files
        ann.get_by_test_id("print").click()
    printed = watch.attach(opened.value, "print view")
    expect(printed.locator("body")).to_have_attribute("data-ready", "true")
    entries = printed.locator('[data-testid=print-entry][data-kind="dialog.file"]')
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("File: photo.png")
    expect(entries.last).to_contain_text("File: invoice.pdf")
    assert watch.problems == [] and watch.dialogs == []
