"""The manager's Knowledge base section (Chromium): create an article and it is suggested at
once in the console; edit, filter, delete; an import with a bad line names it and imports
nothing, a good one adds its articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def create(maria: Page, title: str, questions: str, answer: str, tags: str) -> None:
    maria.get_by_test_id("kb-new").click()
    form = maria.get_by_test_id("kb-form")
    expect(form.get_by_test_id("kb-title-input")).to_be_focused()
    form.get_by_test_id("kb-title-input").fill(title)
    form.get_by_test_id("kb-questions-input").fill(questions)
    form.get_by_test_id("kb-answer-input").fill(answer)
    form.get_by_test_id("kb-tags-input").fill(tags)
    form.get_by_test_id("kb-save").click()
    expect(maria.get_by_test_id("kb-status")).to_have_text(f"Saved “{title}”.")


def test_the_manager_creates_an_article_and_the_console_suggests_it_at_once(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch,
) -> None:
    maria = ui.log_in(new_page("manager"), server, "maria", "/manager")
    section = maria.get_by_test_id("knowledge")
    expect(section.get_by_test_id("kb-none")).to_have_text("No articles yet.")
    create(maria, "Bell repair", "My bell is broken\nCan you fix a bell?",
           "Bring it in: bells are fixed **while you wait**.", "repairs")
    titles = section.get_by_test_id("kb-article-title")
    expect(titles).to_have_text(["Bell repair"])
    expect(section.get_by_test_id("kb-count")).to_have_text("1")

    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = ui.visitor(new_page, server, "Vera")
    ui.tab(ann, "Vera").click()
    ui.widget_say(vera, "hello, my bell broke, it is broken")
    use = ann.get_by_test_id("kb-suggestions").get_by_test_id("kb-use")
    expect(use.get_by_test_id("kb-title")).to_have_text(["Bell repair"])
    expect(use.get_by_test_id("kb-snippet")).to_have_text(
        ["Bring it in: bells are fixed while you wait."])
    use.first.click()
    ann.get_by_test_id("message-input").press("Enter")
    expect(ui.widget_texts(vera).last).to_have_text("Bring it in: bells are fixed while you wait.")

    # edited: the console's next search finds the new text; disabled: no longer suggested
    section.get_by_test_id("kb-edit").click()
    form = maria.get_by_test_id("kb-form")
    expect(form.get_by_test_id("kb-form-title")).to_have_text("Edit “Bell repair”")
    form.get_by_test_id("kb-title-input").fill("Bell and horn repair")
    form.get_by_test_id("kb-save").click()
    expect(titles).to_have_text(["Bell and horn repair"])
    ui.widget_say(vera, "and my horn? is it broken too")
    expect(use.get_by_test_id("kb-title")).to_have_text(["Bell and horn repair"])

    create(maria, "Tyre pressure", "How hard should I pump my tyres?", "About 4 bar.", "tyres")
    section.get_by_test_id("kb-filter").fill("bar")
    expect(titles).to_have_text(["Tyre pressure"])
    section.get_by_test_id("kb-filter").fill("")
    expect(titles).to_have_count(2)
    section.get_by_test_id("kb-article").filter(has_text="Tyre pressure").get_by_test_id(
        "kb-delete").click()
    expect(maria.get_by_test_id("kb-status")).to_have_text("Deleted “Tyre pressure”.")
    expect(titles).to_have_text(["Bell and horn repair"])
    assert watch.problems == [] and watch.dialogs == []


def test_an_import_names_the_bad_line_and_field_and_a_good_one_adds_articles(
    server: Server, new_page: ui.NewPage, watch: ui.PageWatch, tmp_path: Path,
) -> None:
    watch.allow(r"400")  # the refused import's HTTP status, logged by the browser
    maria = ui.log_in(new_page("manager"), server, "maria", "/manager")
    section = maria.get_by_test_id("knowledge")
    good = {"title": "Gift cards", "questions": ["Do you sell gift cards?"],
            "answer": "Yes, from 10 €.", "tags": ["shop"], "enabled": True}
    bad = {**good, "title": "Broken", "questions": []}
    (tmp_path / "bad.json").write_text(json.dumps([good, bad]))
    (tmp_path / "good.csv").write_text(
        "title,questions,answer,tags,enabled\nGift cards,Do you sell gift cards?,"
        "\"Yes, from 10 €.\",shop,true\n")
    section.get_by_test_id("kb-import-file").set_input_files(tmp_path / "bad.json")
    section.get_by_test_id("kb-import").click()
    expect(section.get_by_test_id("kb-status")).to_contain_text("Nothing imported")
    expect(section.get_by_test_id("kb-problem")).to_have_text(
        ["Line 2, questions: expected at least one question, got none"])
    expect(section.get_by_test_id("kb-none")).to_have_text("No articles yet.")
    section.get_by_test_id("kb-import-file").set_input_files(tmp_path / "good.csv")
    section.get_by_test_id("kb-import").click()
    expect(section.get_by_test_id("kb-status")).to_have_text(
        "Imported 1 article from good.csv.")
    expect(section.get_by_test_id("kb-problem")).to_have_count(0)
    expect(section.get_by_test_id("kb-article-title")).to_have_text(["Gift cards"])
    with maria.expect_download() as download:
        section.get_by_test_id("kb-export-json").click()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    assert [a["title"] for a in json.loads(saved.read_text())] == ["Gift cards"]
    assert watch.problems == [] and watch.dialogs == []
