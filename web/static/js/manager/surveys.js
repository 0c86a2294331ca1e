// The manager view's survey templates: the list (edit, delete) and a form of a title and
// questions (kind, text, required, options one per line for a choice). The server checks
// every field; its error, naming the field (questions[1].options: ...), is shown.

import { h, replaceChildren, setText } from "../dom.js";

const $ = (id) => document.getElementById(id);
const KINDS = [
  ["rating", "Rating 1–5"],
  ["single", "Single choice"],
  ["multiple", "Multiple choice"],
  ["text", "Free text"],
];
const CHOICE = new Set(["single", "multiple"]);

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

let editing = null; // the id of the template in the form, or null for a new one
let counter = 0; // unique ids for the questions' labels

function showError(message) {
  setText($("survey-error"), message || "");
  $("survey-error").hidden = !message;
}

function questionRow(question) {
  const n = ++counter;
  const kind = h("select", { id: `sq-kind-${n}`, "data-testid": "survey-question-kind" },
    ...KINDS.map(([value, label]) => h("option", { value }, label)));
  kind.value = question.kind;
  const text = h("input", { id: `sq-text-${n}`, type: "text", maxlength: "300", "data-testid": "survey-question-text" });
  text.value = question.text;
  const required = h("input", { id: `sq-req-${n}`, type: "checkbox", "data-testid": "survey-question-required" });
  required.checked = Boolean(question.required);
  const options = h("textarea", { id: `sq-opt-${n}`, rows: "3", "data-testid": "survey-question-options" });
  options.value = (question.options || []).join("\n");
  const optionsLabel = h("label", { for: `sq-opt-${n}` }, "Options, one per line");
  const row = h("li", { class: "survey-question", "data-testid": "survey-question" },
    h("label", { for: `sq-text-${n}` }, "Question"), text,
    h("div", { class: "row" },
      h("label", { for: `sq-kind-${n}` }, "Kind"), kind,
      h("label", { for: `sq-req-${n}` }, required, " Required"),
      h("button", { type: "button", class: "danger", "data-testid": "survey-question-remove",
        "aria-label": "Remove this question", onclick: () => row.remove() }, "Remove")),
    optionsLabel, options);
  const showOptions = () => {
    optionsLabel.hidden = !CHOICE.has(kind.value);
    options.hidden = !CHOICE.has(kind.value);
  };
  kind.addEventListener("change", showOptions);
  showOptions();
  row.read = () => ({
    kind: kind.value,
    text: text.value,
    required: required.checked,
    options: CHOICE.has(kind.value) ? options.value.split("\n").map((o) => o.trim()).filter(Boolean) : [],
  });
  return row;
}

function addQuestion(question = { kind: "rating", text: "", required: false, options: [] }) {
  const row = questionRow(question);
  $("survey-questions").append(row);
  return row;
}

function fill(survey) {
  editing = survey ? survey.id : null;
  $("survey-title").value = survey ? survey.title : "";
  replaceChildren($("survey-questions"));
  for (const question of survey ? survey.questions : [{ kind: "rating", text: "", required: true }]) addQuestion(question);
  setText($("survey-form-title"), survey ? `Change “${survey.title}”` : "New survey");
  showError("");
}

async function render() {
  const done = await call("GET", "/api/surveys");
  const surveys = done.ok && done.json && Array.isArray(done.json.surveys) ? done.json.surveys : [];
  replaceChildren(
    $("surveys-list"),
    surveys.length
      ? surveys.map((survey) => h(
        "li",
        { class: "answers-item", "data-testid": "surveys-item" },
        h("span", { class: "answers-item-title", "data-testid": "surveys-item-title" }, survey.title),
        h("span", { class: "muted" }, `${survey.questions.length} question${survey.questions.length === 1 ? "" : "s"}`),
        h("button", { type: "button", "aria-label": `Edit ${survey.title}`, "data-testid": "surveys-edit",
          onclick: () => { fill(survey); $("survey-title").focus(); } }, "Edit"),
        h("button", { type: "button", class: "danger", "aria-label": `Delete ${survey.title}`,
          "data-testid": "surveys-delete", onclick: () => remove(survey) }, "Delete"),
      ))
      : h("li", { class: "muted", "data-testid": "surveys-none" }, "No surveys yet."),
  );
}

async function remove(survey) {
  const done = await call("DELETE", `/api/surveys/${survey.id}`);
  if (!done.ok) return showError(done.message);
  if (editing === survey.id) fill(null);
  return render();
}

async function save() {
  const body = {
    title: $("survey-title").value,
    questions: [...$("survey-questions").children].map((row) => row.read()),
  };
  const done = editing === null
    ? await call("POST", "/api/surveys", body)
    : await call("PUT", `/api/surveys/${editing}`, body);
  if (!done.ok) return showError(done.message);
  fill(null);
  return render();
}

$("survey-new").addEventListener("click", () => { fill(null); $("survey-title").focus(); });
$("survey-add-question").addEventListener("click", () => addQuestion().querySelector("input").focus());
$("survey-form").addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
// the page ships the buttons disabled: a click before this module ran would submit natively
for (const button of $("survey-form").querySelectorAll("button:disabled")) button.disabled = false;
fill(null);
render();
