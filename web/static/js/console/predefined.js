// Predefined answers in the answer box: "/" opens a completion list of the operator's own
// and the shared answers, filtered by title and shortcut as one types; arrows choose,
// Enter or Tab insert, Escape closes; "/shortcut" followed by a space expands at once.
// Variables are filled on insertion: {visitor.name}, {operator.name} and any visitor
// information field ({visitor.plan}); an unknown or empty one is left as written.
//
// A <textarea> may not take role="combobox", so the box keeps its own role and carries
// the combobox's other half: aria-autocomplete, aria-controls and aria-activedescendant
// pointing into the role="listbox"; the number of matches is announced.

import { h, replaceChildren, setText } from "../dom.js";

const MAX_SHOWN = 8;
const VARIABLE = /\{(visitor|operator)\.([A-Za-z0-9_-]{1,40})\}/g;

/** `text` with the variables of `who` ({visitorName, operatorName, info}) filled in. */
export function fillVariables(text, who) {
  return String(text).replace(VARIABLE, (whole, kind, key) => {
    let value;
    if (kind === "operator") value = key === "name" ? who.operatorName : undefined;
    else if (key === "name") value = who.visitorName;
    else if (who.info && Object.prototype.hasOwnProperty.call(who.info, key)) value = who.info[key];
    return value === undefined || value === null || String(value) === "" ? whole : String(value);
  });
}

/** The answers matching `query` (no "/"): a shortcut starting with it first, then a title
 * or shortcut containing it; personal before shared within each (the server's order). */
export function matchAnswers(answers, query) {
  const q = query.toLowerCase();
  const starts = [];
  const contains = [];
  for (const answer of answers) {
    const shortcut = (answer.shortcut || "").toLowerCase();
    if (shortcut && shortcut.startsWith(q)) starts.push(answer);
    else if (answer.title.toLowerCase().includes(q) || shortcut.includes(q)) contains.push(answer);
  }
  return [...starts, ...contains];
}

/** The "/word" that ends at `caret` in `value` (the "/" at the start or after a space), or null. */
export function slashToken(value, caret) {
  const before = value.slice(0, caret);
  const found = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!found) return null;
  return { start: caret - found[2].length - 1, end: caret, query: found[2] };
}

/** GET /api/predefined: the answers this operator may insert ([] when none or failing). */
export async function loadAnswers() {
  try {
    const response = await fetch("/api/predefined", { credentials: "same-origin" });
    if (!response.ok) return [];
    const body = await response.json();
    return Array.isArray(body.answers) ? body.answers : [];
  } catch {
    return [];
  }
}

export class PredefinedCompletion {
  /**
   * input: the answer box; list: an empty <ul> beside it; announce: a polite live region;
   * who(): {visitorName, operatorName, info} of the open dialog; onInsert(): after a change.
   */
  constructor({ input, list, announce, who, onInsert, load = loadAnswers }) {
    this.input = input;
    this.list = list;
    this.announce = announce;
    this.who = who;
    this.onInsert = onInsert || (() => {});
    this.load = load;
    this.answers = null; // loaded at the first "/"
    this.pending = null; // the load under way
    this.shown = [];
    this.active = -1;
    this.token = null;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Predefined answers");
    list.hidden = true;
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.addEventListener("input", () => this.changed());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => this.close());
    input.addEventListener("click", () => this.changed());
  }

  /** Forget the loaded answers (after the operator changed their own). */
  reload() {
    this.answers = null;
    this.pending = null;
  }

  get open() {
    return !this.list.hidden;
  }

  async changed() {
    const caret = this.input.selectionStart;
    if (caret !== this.input.selectionEnd) return this.close();
    const value = this.input.value;
    if (value[caret - 1] === " " || value[caret - 1] === "\n") {
      const before = slashToken(value, caret - 1);
      if (before && before.query) {
        const answers = await this.answersNow();
        const exact = answers.find((a) => a.shortcut && a.shortcut === before.query.toLowerCase());
        const typed = value.slice(before.start, caret); // "/hours " (typing may have gone on)
        if (exact && this.input.value.slice(before.start, caret) === typed) {
          this.insert(exact, before);
          return undefined;
        }
      }
    }
    const token = slashToken(value, caret);
    if (!token) return this.close();
    if (!this.open && this.answers !== null) this.reload(); // a fresh "/": fresh answers
    const answers = await this.answersNow();
    if (this.input.value !== value) return undefined; // typed on meanwhile: that input counts
    this.token = token;
    this.show(matchAnswers(answers, token.query).slice(0, MAX_SHOWN));
    return undefined;
  }

  async answersNow() {
    if (this.answers !== null) return this.answers;
    if (this.pending === null) this.pending = this.load();
    const pending = this.pending;
    const answers = await pending;
    if (this.pending === pending) this.answers = answers;
    return answers;
  }

  show(matches) {
    this.shown = matches;
    this.active = matches.length ? 0 : -1;
    if (!matches.length) {
      replaceChildren(this.list, h("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", class: "predefined-none", "data-testid": "predefined-none" },
        this.answers.length ? "No predefined answer matches." : "No predefined answers yet."));
    } else {
      replaceChildren(
        this.list,
        matches.map((answer, i) => h(
          "li",
          {
            id: `${this.list.id}-${i}`,
            role: "option",
            class: "predefined-option",
            "aria-selected": "false",
            "data-testid": "predefined-option",
            onmousedown: (event) => event.preventDefault(), // keep the focus in the box
            onclick: () => this.insert(answer, this.token),
          },
          h("span", { class: "predefined-title", "data-testid": "predefined-title" }, answer.title),
          answer.shortcut ? h("span", { class: "predefined-shortcut" }, ` /${answer.shortcut}`) : null,
          answer.kind === "personal" ? h("span", { class: "predefined-kind" }, " (mine)") : null,
        )),
      );
    }
    this.list.hidden = false;
    this.mark();
    setText(this.announce, matches.length
      ? `${matches.length} predefined answer${matches.length === 1 ? "" : "s"}; up and down arrows to choose, Enter to insert.`
      : "No predefined answer matches.");
  }

  mark() {
    const options = this.list.querySelectorAll(".predefined-option");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === this.active)));
    if (this.active >= 0 && options[this.active]) {
      this.input.setAttribute("aria-activedescendant", options[this.active].id);
      options[this.active].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  close() {
    this.list.hidden = true;
    this.shown = [];
    this.active = -1;
    this.token = null;
    this.input.removeAttribute("aria-activedescendant");
  }

  /** Keys while the list is open; they go no further (Enter does not send then). */
  key(event) {
    if (!this.open || event.isComposing) return;
    const count = this.shown.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + count) % count;
      this.mark();
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey) {
      if (this.active < 0) {
        if (event.key === "Tab") return this.close();
        this.close();
        return undefined; // nothing to insert: Enter does what it always does
      }
      this.insert(this.shown[this.active], this.token);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return undefined;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    return undefined;
  }

  /** Replace the "/word" of `token` by the answer's text, its variables filled in. */
  insert(answer, token) {
    if (!answer || !token) return;
    const text = fillVariables(answer.text, this.who());
    const value = this.input.value;
    this.input.value = value.slice(0, token.start) + text + value.slice(token.end);
    const caret = token.start + text.length;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.focus();
    setText(this.announce, `Inserted ${answer.title}.`);
    this.onInsert();
  }
}
