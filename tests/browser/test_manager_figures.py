"""The manager view's live figures: the summary and each operator's time in status and
dialogs today, as the server computes them (engine/day_figures.py), kept live."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_the_figures_are_the_servers_and_stay_live(
    server_with_config: Callable[[str], Server], new_page: ui.NewPage
) -> None:
    server = server_with_config("[server]\nfigures_interval_s = 0.2\n")
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    expect(maria.get_by_test_id("connection")).to_have_text("Online")
    fig = lambda name: maria.get_by_test_id(f"fig-{name}")  # noqa: E731
    expect(fig("operators_online")).to_have_text("0")

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Hello?")
    expect(fig("operators_online")).to_have_text("1")
    expect(fig("dialogs_open")).to_have_text("1")
    expect(fig("dialogs_today")).to_have_text("1")
    expect(ui.widget_texts(vera)).to_have_text(["Hello?"])
    expect(fig("dialogs_waiting")).to_have_text("1")
    ann_row = maria.get_by_test_id("operator-row").filter(has_text="Ann")
    expect(ann_row.get_by_test_id("operator-today")).to_have_text("1")
    expect(ann_row.get_by_test_id("operator-load")).to_have_text("1 / 3")
    expect(ann_row.get_by_test_id("operator-in-status")).to_have_text(re.compile(r"^\d+:\d\d$"))

    ui.tab(ann, "Vera").click()
    ui.console_say(ann, "Hi Vera")
    expect(fig("dialogs_waiting")).to_have_text("0")
    expect(fig("longest_wait")).to_have_text("0:00")

    ui.set_status(ann, "on_break")
    pia = ui.visitor(new_page, server, "Pia")
    expect(pia.get_by_test_id("fd-status")).to_have_text("Waiting — position 1")
    expect(fig("queue_length")).to_have_text("1")
    expect(fig("dialogs_today")).to_have_text("2")
    expect(ann_row.get_by_test_id("operator-status")).to_have_text("On break")

    ui.close_dialog(ann)
    expect(fig("closed_today")).to_have_text("1")
    expect(fig("dialogs_open")).to_have_text("1")

    # What the page shows is what the server says.
    maria_login = server.accounts["maria"]
    figures = httpx.get(
        server.url("/api/inspect"), auth=(maria_login.login, maria_login.password)
    ).json()["figures"]
    assert (figures["dialogs_today"], figures["closed_today"], figures["queue_length"]) == (2, 1, 1)
    assert figures["operators"][0]["dialogs_today"] == 1
    ui.save_screenshot(maria, "manager-figures.png")
