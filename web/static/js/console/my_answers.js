// The operator's own predefined answers, managed in a small dialog of the console:
// a list (edit, delete) and a form (add or change: title, optional shortcut, text).
// The server checks every field; its error, naming the field, is shown as it comes.

import { h, replaceChildren, setText } from "../dom.js";
import { loadAnswers } from "./predefined.js";

const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return { ok: true };
  let message = `The server answered ${response.status}.`;
  try {
    const error = (await response.json()).error;
    if (error && error.message) message = error.message;
  } catch {
    // not JSON: the status says enough
  }
  return { ok: false, message };
}

/** Wire the "My answers…" button and its dialog; `onChange()` after each change. */
export function wireMyAnswers(onChange) {
  const dialog = $("answers-dialog");
  const form = $("answer-form");
  const title = $("answer-title");
  const shortcut = $("answer-shortcut");
  const text = $("answer-text");
  const error = $("answer-error");
  let editing = null; // the id of the answer in the form, or null for a new one

  const showError = (message) => {
    setText(error, message || "");
    error.hidden = !message;
  };
  const fill = (answer) => {
    editing = answer ? answer.id : null;
    title.value = answer ? answer.title : "";
    shortcut.value = answer && answer.shortcut ? answer.shortcut : "";
    text.value = answer ? answer.text : "";
    setText($("answer-form-title"), answer ? `Change “${answer.title}”` : "New answer");
    showError("");
    title.focus();
  };
  const render = async () => {
    const mine = (await loadAnswers()).filter((a) => a.kind === "personal");
    replaceChildren(
      $("answers-list"),
      mine.length
        ? mine.map((answer) => h(
          "li",
          { class: "answers-item", "data-testid": "answers-item" },
          h("span", { class: "answers-item-title", "data-testid": "answers-item-title" }, answer.title),
          answer.shortcut ? h("span", { class: "predefined-shortcut" }, ` /${answer.shortcut}`) : null,
          h("button", { type: "button", "aria-label": `Edit ${answer.title}`, "data-testid": "answers-edit",
            onclick: () => fill(answer) }, "Edit"),
          h("button", { type: "button", class: "danger", "aria-label": `Delete ${answer.title}`,
            "data-testid": "answers-delete", onclick: () => remove(answer) }, "Delete"),
        ))
        : h("li", { class: "muted", "data-testid": "answers-none" }, "No answers of your own yet."),
    );
  };
  const changed = async () => {
    onChange();
    await render();
  };
  const remove = async (answer) => {
    const done = await call("DELETE", `/api/predefined/personal/${answer.id}`);
    if (!done.ok) return showError(done.message);
    if (editing === answer.id) fill(null);
    return changed();
  };

  $("my-answers").addEventListener("click", async () => {
    fill(null);
    dialog.showModal();
    await render();
  });
  $("answers-close").addEventListener("click", () => dialog.close());
  $("answer-new").addEventListener("click", () => fill(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { title: title.value, text: text.value, shortcut: shortcut.value.trim() || null };
    const done = editing === null
      ? await call("POST", "/api/predefined/personal", body)
      : await call("PUT", `/api/predefined/personal/${editing}`, body);
    if (!done.ok) return showError(done.message);
    fill(null);
    return changed();
  });
}
