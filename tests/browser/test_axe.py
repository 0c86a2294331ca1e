"""axe-core (through axe-playwright-python) on the widget, the console and the manager
view, each with a live dialog in it: no serious or critical violation (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from . import pages as ui
from .pages import PageWatch
from .server import Server

pytestmark = pytest.mark.browser

BAD = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    results: Any = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BAD:
            targets = [node.get("target") for node in violation.get("nodes", [])][:3]
            what = f"{violation['id']} ({violation['impact']}): {violation['help']}"
            found.append(f"{what} at {targets}")
    return found


def test_widget_console_and_manager_have_no_serious_axe_violation(
    server: Server, new_page: ui.NewPage, watch: PageWatch
) -> None:
    # axe-core itself tries an inline style on the embedding page (its CSP says no): axe's
    # doing, not the page's.
    watch.allow(r"Applying inline style violates the following Content Security Policy")
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Hello there")
    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Hi Vera, how can I help?")
    expect(ui.widget_texts(vera)).to_have_count(2)
    expect(maria.get_by_test_id("dialog-row").filter(has_text="Vera")).to_be_visible()

    problems = {name: serious_violations(page)
                for name, page in (("widget", vera), ("console", ann), ("manager", maria))}
    assert problems == {"widget": [], "console": [], "manager": []}, (
        f"expected no serious or critical axe violation, got {problems}")
