"""Predefined answers in the console: "/" opens the list, arrows and Enter insert,
"/hours " expands at once with the visitor's name filled in; the operator manages
their own answers in "My answers"; the variables' filling as a pure module.

The ``watch`` fixture fails the test on any script error, console error or alert.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from . import pages as ui
from .server import REPO, Server, static_site
from .test_axe import serious_violations

pytestmark = pytest.mark.browser

SHARED = (
    {"title": "Opening hours", "shortcut": "hours",  # the demo page's visitor has plan "Gold"
     "text": "Hi {visitor.name}, we open at 9 ({visitor.plan}, {visitor.shoe})."},
    {"title": "Returns", "text": "Returns within 30 days, {visitor.name}.", "shortcut": "returns"},
    {"title": "Hello", "text": "Hello, I'm {operator.name}.", "shortcut": "hello"},
)


def add_shared(server: Server) -> None:
    maria = server.accounts["maria"]
    with httpx.Client(base_url=server.url(""), timeout=10.0) as http:
        login = http.post("/api/login", json={"login": maria.login, "password": maria.password})
        assert login.status_code == 200, login.text
        for body in SHARED:
            made = http.post("/api/predefined/shared", json=body)
            assert made.status_code == 201, made.text


def test_slash_opens_the_list_arrows_and_enter_insert_and_a_shortcut_expands(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    add_shared(server)
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "When are you open?")
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["When are you open?"])

    box = ann.get_by_test_id("message-input")
    listbox = ann.get_by_role("listbox", name="Predefined answers")
    box.press_sequentially("/")
    expect(listbox).to_be_visible()
    options = listbox.get_by_test_id("predefined-option")
    expect(options).to_have_count(3)
    box.press_sequentially("re")  # "Returns" by its shortcut, "Opening hours" has no "re"
    expect(options.get_by_test_id("predefined-title")).to_have_text(["Returns"])
    box.press("Backspace")
    box.press("Backspace")
    expect(options).to_have_count(3)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id") or "")
    watch.allow(r"Applying inline style violates the following Content Security Policy")  # axe's
    assert serious_violations(ann) == []  # the open list and the box pointing into it
    chosen = options.nth(1).get_by_test_id("predefined-title").inner_text()
    box.press("Enter")  # inserts, does not send
    expect(listbox).to_be_hidden()
    expected = {"Opening hours": "Hi Vera, we open at 9 (Gold, {visitor.shoe}).",
                "Returns": "Returns within 30 days, Vera.", "Hello": "Hello, I'm Ann."}[chosen]
    expect(box).to_have_value(expected)
    expect(ui.console_texts(ann)).to_have_count(1)

    box.fill("")
    box.press_sequentially("/hours ")
    expect(box).to_have_value("Hi Vera, we open at 9 (Gold, {visitor.shoe}). ")
    expect(listbox).to_be_hidden()
    box.press("Enter")
    expect(ui.widget_texts(vera).last).to_have_text("Hi Vera, we open at 9 (Gold, {visitor.shoe}).")

    box.press_sequentially("Escape closes: /")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("Escape closes: /")


def test_the_operator_adds_edits_and_deletes_an_answer_of_their_own(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    watch.allow(r"status of 400")  # the browser logs the refused save
    ann = ui.operator(new_page, server, "ann")
    ann.get_by_test_id("my-answers").click()
    dialog = ann.get_by_test_id("answers-dialog")
    expect(dialog).to_be_visible()
    expect(ann.get_by_test_id("answers-none")).to_be_visible()
    ann.get_by_test_id("answer-title").fill("Tea")
    ann.get_by_test_id("answer-shortcut").fill("two words")
    ann.get_by_test_id("answer-text").fill("Have a tea, {visitor.name}!")
    ann.get_by_test_id("answer-save").click()
    expect(ann.get_by_test_id("answer-error")).to_contain_text(
        "shortcut: expected 1 to 30 lower-case letters")
    ann.get_by_test_id("answer-shortcut").fill("tea")
    ann.get_by_test_id("answer-save").click()
    expect(ann.get_by_test_id("answers-item-title")).to_have_text(["Tea"])
    ann.get_by_role("button", name="Edit Tea").click()
    expect(ann.get_by_test_id("answer-text")).to_have_value("Have a tea, {visitor.name}!")
    ann.get_by_test_id("answer-title").fill("Coffee")
    ann.get_by_test_id("answer-save").click()
    expect(ann.get_by_test_id("answers-item-title")).to_have_text(["Coffee"])
    ann.get_by_role("button", name="Delete Coffee").click()
    expect(ann.get_by_test_id("answers-none")).to_be_visible()
    ann.get_by_test_id("answers-close").click()
    expect(dialog).to_be_hidden()


def test_a_manager_adds_a_shared_answer_and_an_operator_expands_it(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    maria = ui.log_in(new_page("maria"), server, "maria", "/manager")
    section = maria.get_by_test_id("shared-answers")
    expect(section.get_by_test_id("answers-none")).to_be_visible()
    maria.get_by_test_id("answer-title").fill("Bells")
    maria.get_by_test_id("answer-shortcut").fill("/Bells")
    maria.get_by_test_id("answer-text").fill("{visitor.name}, bells are fixed while you wait.")
    maria.get_by_test_id("answer-save").click()
    expect(section.get_by_test_id("answers-item-title")).to_have_text(["Bells"])

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "My bell is broken")
    ui.tab(ann, "Vera").click()
    box = ann.get_by_test_id("message-input")
    box.press_sequentially("Hello! /bells ")
    expect(box).to_have_value("Hello! Vera, bells are fixed while you wait. ")

    maria.get_by_role("button", name="Delete Bells").click()
    expect(section.get_by_test_id("answers-none")).to_be_visible()
    box.fill("")
    box.press_sequentially("/bel")  # a fresh "/" asks again: the deleted one is gone
    expect(ann.get_by_test_id("predefined-none")).to_have_text("No predefined answers yet.")


def test_the_list_and_my_answers_fit_a_375_px_screen(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch
) -> None:
    add_shared(server)
    ann = ui.operator(new_page, server, "ann")
    ann.set_viewport_size({"width": 375, "height": 700})
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.widget_say(vera, "Hi")
    ui.tab(ann, "Vera").click()
    ann.get_by_test_id("message-input").press_sequentially("/")
    listbox = ann.get_by_test_id("predefined-list")
    expect(listbox.get_by_test_id("predefined-option")).to_have_count(3)
    within(ann, listbox.bounding_box())
    ann.get_by_test_id("message-input").press("Escape")
    ann.get_by_test_id("my-answers").click()
    expect(ann.get_by_test_id("answers-dialog")).to_be_visible()
    within(ann, ann.get_by_test_id("answers-dialog").bounding_box())
    within(ann, ann.get_by_test_id("answer-save").bounding_box())


def within(page: Page, box: dict[str, float] | None) -> None:
    assert box is not None
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (box, width)


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with static_site(REPO / "web") as url:
        yield url


@pytest.fixture
def page(browser: Browser, static_url: str, watch: ui.PageWatch) -> Iterator[Page]:
    context = browser.new_context()
    page = watch.attach(context.new_page(), "modules")
    page.goto(static_url + "/static/index.html")
    yield page
    context.close()


def test_variables_are_filled_and_an_unknown_one_is_left_visible(page: Page) -> None:
    got = page.evaluate("""async () => {
      const m = await import('/static/js/console/predefined.js');
      const who = { visitorName: 'Vera', operatorName: 'Ann', info: { plan: 'Gold', empty: '' } };
      return [
        m.fillVariables('{visitor.name}/{operator.name}/{visitor.plan}', who),
        m.fillVariables('{visitor.nope} {operator.plan} {visitor.empty} {other.name}', who),
        m.fillVariables('{visitor.name}', { visitorName: '', operatorName: 'Ann', info: {} }),
        m.matchAnswers([{ title: 'Opening hours', shortcut: 'hours' },
                        { title: 'Hours of the workshop', shortcut: null },
                        { title: 'Shipping', shortcut: 'ship' }], 'hour').map((a) => a.title),
        m.slashToken('see /ho', 7), m.slashToken('a/b', 3), m.slashToken('/', 1),
      ];
    }""")
    assert got == [
        "Vera/Ann/Gold",
        "{visitor.nope} {operator.plan} {visitor.empty} {other.name}",
        "{visitor.name}",
        ["Opening hours", "Hours of the workshop"],
        {"start": 4, "end": 7, "query": "ho"}, None, {"start": 0, "end": 1, "query": ""},
    ]
