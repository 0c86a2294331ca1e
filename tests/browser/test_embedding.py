"""The widget embedded with one tag in a page of another site (another origin)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server, static_site

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Another shop</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="host.css"></head>
<body><h1>Another shop</h1><p>Not served by frontdesk.</p>
<script type="module" src="{server}/static/widget.js" data-server="{server}"
        data-name="Hugo" data-info-email="hugo@example.com" data-open></script>
</body></html>
"""
HOST_CSS = "button { background: hotpink !important; } * { font-family: serif; }"


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    with static_site(root) as url:
        yield url, root


def test_one_tag_on_another_site_opens_a_dialog(
    host_site: tuple[str, Path],
    server_with_config: Callable[[str], Server],
    new_page: ui.NewPage,
) -> None:
    site_url, root = host_site
    server = server_with_config(f'[server]\nallowed_origins = ["{site_url}"]\n')
    (root / "index.html").write_text(HOST_PAGE.format(server=server.base_url))
    (root / "host.css").write_text(HOST_CSS)

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    hugo = new_page("hugo")
    hugo.goto(site_url + "/index.html")
    # data-open: the panel is open; data-name prefilled the form.
    expect(hugo.get_by_test_id("fd-name")).to_have_value("Hugo")
    start = hugo.get_by_test_id("fd-start")
    # The host page's CSS does not reach into the widget's shadow root.
    assert start.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 105, 180)"
    start.click()
    expect(hugo.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    ui.widget_say(hugo, "Hello from another site")

    ui.tab(ann, "Hugo").click()
    expect(ui.console_texts(ann)).to_have_text(["Hello from another site"])
    expect(ann.get_by_test_id("info-email")).to_have_text("hugo@example.com")
    ann.get_by_test_id("message-input").fill("Hello Hugo")
    ann.get_by_test_id("message-input").press("Enter")
    expect(ui.widget_texts(hugo)).to_have_text(["Hello from another site", "Hello Hugo"])


def test_the_widget_on_another_site_sends_a_file(
    host_site: tuple[str, Path],
    server_with_config: Callable[[str], Server],
    new_page: ui.NewPage,
    tmp_path: Path,
) -> None:
    site_url, root = host_site
    server = server_with_config(f'[server]\nallowed_origins = ["{site_url}"]\n')
    (root / "index.html").write_text(HOST_PAGE.format(server=server.base_url))
    (root / "host.css").write_text(HOST_CSS)
    note = tmp_path / "order.txt"
    note.write_text("order 1234, frame size M\n")

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    hugo = new_page("hugo")
    hugo.goto(site_url + "/index.html")
    hugo.get_by_test_id("fd-start").click()
    expect(hugo.get_by_test_id("fd-status")).to_have_text("Chatting with Ann")
    # The upload is a cross-origin POST from the host page to the server (CORS answered).
    hugo.get_by_test_id("fd-file-input").set_input_files(note)
    expect(hugo.get_by_test_id("fd-file-link")).to_have_text(["order.txt"])
    expect(hugo.get_by_test_id("fd-upload-status")).to_have_text("")

    ui.tab(ann, "Hugo").click()
    link = ann.get_by_test_id("history").get_by_test_id("file-link")
    expect(link).to_have_text(["order.txt"])
    with ann.expect_download() as got:
        link.click()
    assert Path(got.value.path()).read_bytes() == note.read_bytes()
