// A list of predefined answers with edit and delete, and a form to add or change one
// (title, optional shortcut, text): the console's "My answers" (personal) and the manager
// view's shared ones. The server checks every field; its error, naming the field, is shown.
// The page holds the elements by id: answers-list, answer-form, answer-form-title,
// answer-title, answer-shortcut, answer-text, answer-error, answer-new.

import { h, replaceChildren, setText } from "./dom.js";

const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try {
    json = response.status === 204 ? null : await response.json();
  } catch {
    json = null;
  }
  if (response.ok) return { ok: true, json };
  const error = json && json.error;
  return { ok: false, message: error && error.message ? error.message : `The server answered ${response.status}.` };
}

export class AnswerEditor {
  /** list(): the answers to show (a promise); base: "/api/predefined/personal" or ".../shared";
   * onChange(): after each change. */
  constructor({ list, base, onChange = () => {}, noneText = "No answers yet." }) {
    this.list = list;
    this.base = base;
    this.onChange = onChange;
    this.noneText = noneText;
    this.editing = null; // the id of the answer in the form, or null for a new one
    this.title = $("answer-title");
    this.shortcut = $("answer-shortcut");
    this.text = $("answer-text");
    this.error = $("answer-error");
    $("answer-new").addEventListener("click", () => this.fill(null));
    $("answer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    // the page ships the button disabled: a click before this module ran would submit the
    // form natively and reload the page, losing what was typed
    for (const button of $("answer-form").querySelectorAll("button[type=submit]")) button.disabled = false;
  }

  showError(message) {
    setText(this.error, message || "");
    this.error.hidden = !message;
  }

  fill(answer) {
    this.editing = answer ? answer.id : null;
    this.title.value = answer ? answer.title : "";
    this.shortcut.value = answer && answer.shortcut ? answer.shortcut : "";
    this.text.value = answer ? answer.text : "";
    setText($("answer-form-title"), answer ? `Change “${answer.title}”` : "New answer");
    this.showError("");
    this.title.focus();
  }

  async render() {
    const answers = await this.list();
    replaceChildren(
      $("answers-list"),
      answers.length
        ? answers.map((answer) => h(
          "li",
          { class: "answers-item", "data-testid": "answers-item" },
          h("span", { class: "answers-item-title", "data-testid": "answers-item-title" }, answer.title),
          answer.shortcut ? h("span", { class: "predefined-shortcut" }, ` /${answer.shortcut}`) : null,
          h("button", { type: "button", "aria-label": `Edit ${answer.title}`, "data-testid": "answers-edit",
            onclick: () => this.fill(answer) }, "Edit"),
          h("button", { type: "button", class: "danger", "aria-label": `Delete ${answer.title}`,
            "data-testid": "answers-delete", onclick: () => this.remove(answer) }, "Delete"),
        ))
        : h("li", { class: "muted", "data-testid": "answers-none" }, this.noneText),
    );
  }

  async changed() {
    this.onChange();
    await this.render();
  }

  async remove(answer) {
    const done = await call("DELETE", `${this.base}/${answer.id}`);
    if (!done.ok) return this.showError(done.message);
    if (this.editing === answer.id) this.fill(null);
    return this.changed();
  }

  async save() {
    const body = { title: this.title.value, text: this.text.value, shortcut: this.shortcut.value.trim() || null };
    const done = this.editing === null
      ? await call("POST", this.base, body)
      : await call("PUT", `${this.base}/${this.editing}`, body);
    if (!done.ok) return this.showError(done.message);
    this.fill(null);
    return this.changed();
  }
}

/** The answers of GET `path` ({"answers": [...]}), or [] when it fails. */
export async function fetchAnswers(path) {
  const done = await call("GET", path);
  return done.ok && done.json && Array.isArray(done.json.answers) ? done.json.answers : [];
}
