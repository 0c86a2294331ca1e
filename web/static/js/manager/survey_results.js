// The manager view's survey results (GET /api/surveys/results): per template the response
// rate and average rating, each question's figures (a rating's average, a choice's counts
// as a small bar chart drawn here in SVG, with the same counts in a list for screen
// readers, a free text's answers), and a table per operator; a CSV export link.

import { h, replaceChildren } from "../dom.js";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
const W = 320;
const BAR_H = 16;
const LABEL_W = 110;

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

const percent = (rate) => (rate === null || rate === undefined ? "—" : `${Math.round(rate * 100)} %`);
const number = (value) => (value === null || value === undefined ? "—" : String(value));

/** Horizontal bars, one per option: aria-hidden (the list next to it says the same). */
function choiceChart(counts) {
  const entries = Object.entries(counts);
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const height = entries.length * (BAR_H + 6) + 4;
  const scale = (W - LABEL_W - 30) / most;
  return s("svg", { class: "chart survey-chart", viewBox: `0 0 ${W} ${height}`, "aria-hidden": "true", "data-testid": "survey-chart" },
    ...entries.flatMap(([option, n], i) => {
      const y = 4 + i * (BAR_H + 6);
      return [
        s("text", { x: 0, y: y + BAR_H - 4, class: "tick" }, option.length > 16 ? `${option.slice(0, 15)}…` : option),
        s("rect", { x: LABEL_W, y, width: Math.max(0.5, n * scale).toFixed(1), height: BAR_H, class: "bar survey-bar" }),
        s("text", { x: LABEL_W + n * scale + 4, y: y + BAR_H - 4, class: "tick" }, String(n)),
      ];
    }));
}

function questionView(q) {
  if (q.kind === "rating") {
    return h("li", { "data-testid": "survey-result-question" }, h("strong", {}, q.text),
      ` — average ${number(q.average)} of 5 (${q.answers} answer${q.answers === 1 ? "" : "s"})`);
  }
  if (q.kind === "text") {
    return h("li", { "data-testid": "survey-result-question" }, h("strong", {}, q.text),
      q.answers.length ? h("ul", {}, q.answers.map((a) => h("li", {}, a.text))) : " — no answers");
  }
  const counts = q.counts || {};
  return h("li", { "data-testid": "survey-result-question" }, h("strong", {}, q.text),
    h("ul", { class: "survey-counts" }, Object.entries(counts).map(([o, n]) => h("li", {}, `${o}: ${n}`))),
    choiceChart(counts));
}

function templateView(t) {
  return h("article", { class: "survey-result", "data-testid": "survey-result" },
    h("h3", {}, t.title),
    h("p", { "data-testid": "survey-result-summary" },
      `Sent ${t.sent}, answered ${t.answered} (${percent(t.response_rate)}); average rating ${number(t.average_rating)}.`),
    h("ol", { class: "survey-result-questions" }, t.questions.map(questionView)));
}

function operatorsTable(operators) {
  return h("table", { class: "report", "data-testid": "survey-operators" },
    h("caption", {}, "Per operator"),
    h("thead", {}, h("tr", {}, ["Operator", "Sent", "Answered", "Response rate", "Average rating"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, operators.map((o) => h("tr", {},
      h("th", { scope: "row" }, o.name || o.operator),
      h("td", {}, String(o.sent)), h("td", {}, String(o.answered)),
      h("td", {}, percent(o.response_rate)), h("td", {}, number(o.average_rating))))));
}

async function show() {
  const box = $("survey-results");
  let figures = null;
  try {
    const response = await fetch("/api/surveys/results", { credentials: "same-origin" });
    figures = response.ok ? await response.json() : null;
  } catch {
    figures = null;
  }
  if (!figures) {
    replaceChildren(box, h("p", { class: "error", role: "alert" }, "The results could not be loaded."));
    return;
  }
  replaceChildren(box, figures.templates.length
    ? [...figures.templates.map(templateView), h("div", { class: "table-scroll" }, operatorsTable(figures.operators))]
    : h("p", { class: "muted", "data-testid": "survey-results-none" }, "No survey was sent yet."));
}

$("survey-results-refresh").addEventListener("click", show);
$("survey-results-refresh").disabled = false;
show();
