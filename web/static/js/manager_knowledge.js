// The manager view's Knowledge base section (web/static/manager.html): the articles listed
// and filtered as one types, created and edited in one form, deleted, imported from a JSON
// or CSV file (a refused import lists each bad line and field) and exported. The routes are
// those of docs/protocol.md, "Knowledge base". Everything is set as text.

import { h, replaceChildren, setText } from "./dom.js";
import { createArticle, deleteArticle, importArticles, listArticles, updateArticle } from "./knowledge.js";
import { formatClock } from "./time.js";

const $ = (id) => document.getElementById(id);
let articles = [];
let editing = null; // the id of the article in the form, or null for a new one

/** Does an article hold every word of the filter (in its title, questions, answer or tags)? */
export function matches(article, filter) {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const text = [article.title, ...article.questions, article.answer, ...article.tags].join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The form's fields as the routes take them: questions one per line, tags by spaces. */
export function draftOf(title, questions, answer, tags, enabled) {
  return {
    title: title.trim(),
    questions: questions.split("\n").map((q) => q.trim()).filter(Boolean),
    answer: answer.trim(),
    tags: tags.split(/[\s,]+/).map((t) => t.trim().toLowerCase()).filter(Boolean),
    enabled,
  };
}

function say(text, problems = []) {
  setText($("kb-status"), text);
  replaceChildren($("kb-problems"), problems.map((p) => h("li", { "data-testid": "kb-problem" },
    `Line ${p.line}, ${p.field}: ${p.message}`)));
}

function row(article) {
  return h("tr", { "data-testid": "kb-article", "data-article": article.id },
    h("td", { "data-testid": "kb-article-title" }, article.title),
    h("td", {}, article.tags.join(" ")),
    h("td", { class: article.enabled ? "" : "kb-disabled", "data-testid": "kb-article-enabled" }, article.enabled ? "yes" : "no"),
    h("td", {}, `${article.changed_by} ${formatClock(article.changed_at)}`),
    h("td", {},
      h("button", { type: "button", "data-testid": "kb-edit", "aria-label": `Edit “${article.title}”`, onclick: () => edit(article) }, "Edit"),
      h("button", { type: "button", class: "danger", "data-testid": "kb-delete", "aria-label": `Delete “${article.title}”`, onclick: () => remove(article) }, "Delete")));
}

function show() {
  const filter = $("kb-filter").value;
  const shown = articles.filter((a) => matches(a, filter));
  replaceChildren($("kb-articles"), shown.length ? shown.map(row)
    : h("tr", {}, h("td", { colspan: 5, class: "muted", "data-testid": "kb-none" }, articles.length ? "No article matches the search." : "No articles yet.")));
  setText($("kb-count"), articles.length);
}

async function refresh() {
  try {
    articles = await listArticles();
    show();
  } catch (error) {
    say(`The articles could not be loaded: ${error.message}`);
  }
}

function openForm(article) {
  editing = article ? article.id : null;
  setText($("kb-form-title"), article ? `Edit “${article.title}”` : "New article");
  $("kb-title").value = article ? article.title : "";
  $("kb-questions").value = article ? article.questions.join("\n") : "";
  $("kb-answer").value = article ? article.answer : "";
  $("kb-tags").value = article ? article.tags.join(" ") : "";
  $("kb-enabled").checked = article ? article.enabled : true;
  $("kb-form").hidden = false;
  $("kb-title").focus();
}

function edit(article) {
  say("");
  openForm(article);
}

async function remove(article) {
  try {
    await deleteArticle(article.id);
    if (editing === article.id) $("kb-form").hidden = true;
    say(`Deleted “${article.title}”.`);
  } catch (error) {
    say(`Not deleted: ${error.message}`);
  }
  await refresh();
}

async function save(event) {
  event.preventDefault();
  const draft = draftOf($("kb-title").value, $("kb-questions").value, $("kb-answer").value, $("kb-tags").value, $("kb-enabled").checked);
  try {
    const saved = editing === null ? await createArticle(draft) : await updateArticle(editing, draft);
    $("kb-form").hidden = true;
    say(`Saved “${saved.title}”.`);
    await refresh();
    $("kb-new").focus();
  } catch (error) {
    say(`Not saved: ${error.message}`);
  }
}

async function importFile() {
  const file = $("kb-import-file").files[0];
  if (!file) {
    say("Choose a JSON or CSV file to import first.");
    return;
  }
  const format = /\.csv$/i.test(file.name) || file.type === "text/csv" ? "csv" : "json";
  try {
    const done = await importArticles(await file.text(), format);
    say(`Imported ${done.imported} article${done.imported === 1 ? "" : "s"} from ${file.name}.`);
    $("kb-import-file").value = "";
  } catch (error) {
    say(`Nothing imported: ${error.message}`, error.problems || []);
  }
  await refresh();
}

function start() {
  const form = $("kb-form");
  if (!form) return;
  form.addEventListener("submit", save);
  $("kb-cancel").addEventListener("click", () => {
    form.hidden = true;
    $("kb-new").focus();
  });
  $("kb-new").addEventListener("click", () => {
    say("");
    openForm(null);
  });
  $("kb-filter").addEventListener("input", show);
  $("kb-import").addEventListener("click", importFile);
  // shipped disabled (manager.html): a click before this module ran would do nothing
  for (const id of ["kb-new", "kb-import"]) $(id).disabled = false;
  refresh();
}

start();
