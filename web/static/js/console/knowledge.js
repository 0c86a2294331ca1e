// The console's Find knowledge panel, beside the dialog: up to 5 articles suggested for the
// visitor's latest message (searched again as the dialog goes on), a search box that takes
// over while it holds text, and per article a "Related" arrow listing its neighbours.
// Choosing an article puts its answer (the formatted-subset source the answer box writes)
// into the answer box, to be edited before it is sent. The predefined answers (personal and
// shared) fitting the same text are listed under them; a click puts one in with its
// variables filled, as the "/" completion does. Everything is set as text.

import { h, replaceChildren, setText } from "../dom.js";
import { relatedKnowledge, searchKnowledge } from "../knowledge.js";
import { rankAnswers } from "./answer_match.js";
import { fillVariables, loadAnswers } from "./predefined.js";

const SEARCH_DELAY_MS = 200;
const SUGGESTIONS = 5;
const ANSWERS = 3;

/** The visitor's latest message of a dialog: {seq, text}, or null. */
export function latestQuestion(dialog) {
  if (!dialog) return null;
  const said = dialog.transcript.find("dialog.message").filter((e) => e.author === "visitor");
  const last = said[said.length - 1];
  if (!last) return null;
  const text = String(last.plain || last.text || "").trim();
  return text ? { seq: last.seq, text } : null;
}

/** The answer box's text once `answer` is put in: the answer alone, or after what was typed. */
export function withAnswer(typed, answer) {
  const before = typed.replace(/\s+$/, "");
  return before ? `${before}\n\n${answer}` : answer;
}

export class KnowledgePanel {
  /**
   * @param {{search: HTMLInputElement, list: HTMLElement, status: HTMLElement,
   *          input: HTMLTextAreaElement, announce: (text: string) => void,
   *          answerList?: HTMLElement, who?: () => object, load?: () => Promise<object[]>}} parts
   * answerList: where the fitting predefined answers go; who(): the open dialog's
   * {visitorName, operatorName, info} for their variables; load: GET /api/predefined.
   */
  constructor({ search, list, status, input, announce, answerList = null, who = () => ({}), load = loadAnswers }) {
    Object.assign(this, { search, list, status, input, announce, answerList, who, load });
    this.answers = null; // loaded once per dialog shown (the operator may change their own)
    this.dialogId = null;
    this.asked = undefined; // the text the shown list answers (null: nothing to ask)
    this.turn = 0; // answers of an older request are dropped
    this.timer = null;
    search.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.refresh(), SEARCH_DELAY_MS);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(this.timer);
        this.refresh();
      } else if (event.key === "ArrowDown") {
        const first = list.querySelector("[data-testid=kb-use]");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    if (search.form) search.form.addEventListener("submit", (event) => event.preventDefault());
    list.addEventListener("keydown", (event) => this.move(event));
    if (answerList) answerList.addEventListener("keydown", (event) => this.move(event, answerList));
  }

  /** The answers' list with its heading (the list alone when it has no box). */
  answerBox() {
    return this.answerList.closest(".kb-answers") || this.answerList;
  }

  /** Forget the loaded predefined answers (the operator changed their own). */
  reloadAnswers() {
    this.answers = null;
    this.asked = undefined;
    this.refresh();
  }

  async answersNow() {
    if (!this.answerList) return [];
    if (this.answers === null) this.answers = await this.load();
    return this.answers;
  }

  /** The predefined answers fitting `text`, shown under the articles. */
  async showAnswers(text, turn) {
    if (!this.answerList) return 0;
    const answers = text === null ? [] : rankAnswers(await this.answersNow(), text, ANSWERS);
    if (turn !== this.turn) return 0;
    replaceChildren(this.answerList, answers.map((answer) => h("li", { class: "kb-item", "data-testid": "kb-answer" },
      h("button", {
        type: "button", class: "kb-use", "data-testid": "kb-answer-use", "data-answer": answer.id,
        "aria-label": `Insert the predefined answer “${answer.title}”`,
        onclick: () => this.useAnswer(answer),
      },
      h("span", { class: "kb-title", "data-testid": "kb-answer-title" },
        answer.title, answer.shortcut ? h("span", { class: "predefined-shortcut" }, ` /${answer.shortcut}`) : null),
      h("span", { class: "kb-snippet", "data-testid": "kb-answer-text" }, answer.text)))));
    this.answerBox().hidden = answers.length === 0;
    return answers.length;
  }

  useAnswer(answer) {
    this.put(fillVariables(answer.text, this.who()), `The predefined answer “${answer.title}” is in the answer box; edit it, then send.`);
  }

  /** Called on each render: a new dialog or a new visitor message asks again. */
  show(dialog) {
    if (!dialog) {
      this.dialogId = null;
      this.question = null;
      this.asked = undefined;
      replaceChildren(this.list);
      if (this.answerList) {
        replaceChildren(this.answerList);
        this.answerBox().hidden = true;
      }
      setText(this.status, "Open a dialog to see suggested articles.");
      return;
    }
    if (dialog.id !== this.dialogId) {
      this.dialogId = dialog.id;
      this.search.value = "";
      this.answers = null; // fresh answers for each dialog opened
    }
    this.question = latestQuestion(dialog);
    this.refresh();
  }

  /** The text to search: what the operator typed in the search box, else the visitor's question. */
  wanted() {
    const typed = this.search.value.trim();
    if (typed) return { text: typed, typed: true };
    return this.question ? { text: this.question.text, typed: false } : null;
  }

  async refresh() {
    const wanted = this.wanted();
    const key = wanted ? `${wanted.typed ? "q" : "v"}:${wanted.text}` : null;
    if (key === this.asked) return;
    this.asked = key;
    const turn = ++this.turn;
    if (!wanted) {
      replaceChildren(this.list);
      await this.showAnswers(null, turn);
      setText(this.status, "No question from the visitor yet. Search the knowledge base above.");
      return;
    }
    const fitting = this.showAnswers(wanted.text.slice(0, 2000), turn);
    let hits;
    try {
      hits = await searchKnowledge(wanted.text.slice(0, 2000), SUGGESTIONS);
    } catch (error) {
      if (turn !== this.turn) return;
      this.asked = undefined; // asked again on the next change
      replaceChildren(this.list);
      setText(this.status, `Knowledge search failed: ${error.message}`);
      return;
    }
    const answers = await fitting;
    if (turn !== this.turn) return;
    replaceChildren(this.list, hits.map((hit) => this.item(hit, true)));
    const source = wanted.typed ? "your search" : "the visitor's latest message";
    const more = answers ? ` and ${answers} predefined answer${answers === 1 ? "" : "s"}` : "";
    setText(this.status, hits.length || answers
      ? `${hits.length} article${hits.length === 1 ? "" : "s"}${more} for ${source}.`
      : `No article matches ${source}.`);
  }

  item(hit, withRelated) {
    const use = h("button", {
      type: "button", class: "kb-use", "data-testid": "kb-use", "data-article": hit.id,
      "aria-label": `Use the answer of “${hit.title}”`,
      onclick: () => this.use(hit),
    },
    h("span", { class: "kb-title", "data-testid": "kb-title" }, hit.title),
    h("span", { class: "kb-snippet", "data-testid": "kb-snippet" }, hit.snippet || ""));
    const li = h("li", { class: "kb-item", "data-testid": "kb-suggestion" }, use);
    if (!withRelated) return li;
    const nested = h("ul", { class: "kb-related-list", "data-testid": "kb-related-list", "aria-label": `Related to ${hit.title}`, hidden: true });
    const arrow = h("button", {
      type: "button", class: "kb-related", "data-testid": "kb-related", "aria-expanded": "false",
      "aria-label": `Related articles of “${hit.title}”`, title: "Related articles",
      onclick: () => this.toggleRelated(hit, arrow, nested),
    }, "↳");
    li.append(arrow, nested);
    return li;
  }

  async toggleRelated(hit, arrow, nested) {
    if (arrow.getAttribute("aria-expanded") === "true") {
      arrow.setAttribute("aria-expanded", "false");
      nested.hidden = true;
      return;
    }
    arrow.setAttribute("aria-expanded", "true");
    nested.hidden = false;
    replaceChildren(nested, h("li", { class: "muted" }, "Looking…"));
    try {
      const hits = await relatedKnowledge(hit.id, SUGGESTIONS);
      replaceChildren(nested, hits.length
        ? hits.map((other) => this.item(other, false))
        : h("li", { class: "muted", "data-testid": "kb-related-none" }, "No related article."));
      this.announce(`${hits.length} related article${hits.length === 1 ? "" : "s"} of ${hit.title}.`);
    } catch (error) {
      replaceChildren(nested, h("li", { class: "error" }, `Related articles failed: ${error.message}`));
    }
  }

  use(hit) {
    this.put(hit.answer, `The answer of “${hit.title}” is in the answer box; edit it, then send.`);
  }

  put(text, said) {
    const input = this.input;
    if (input.disabled) return;
    input.value = withAnswer(input.value, text);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    input.dispatchEvent(new Event("input", { bubbles: true })); // the draft and the typing indicator
    this.announce(said);
  }

  /** Up and down move between the buttons of a list; Escape goes back to the search box. */
  move(event, within = this.list) {
    const buttons = [...within.querySelectorAll("button")].filter((b) => b.offsetParent !== null);
    const at = buttons.indexOf(document.activeElement);
    if (at === -1) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) next.focus();
      else if (event.key === "ArrowUp") this.search.focus();
    } else if (event.key === "Escape") {
      this.search.focus();
    }
  }
}
