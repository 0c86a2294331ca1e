// The print view of one dialog (/dialogs/<id>/print): the history the server gives this
// operator or manager (GET /api/dialogs/<id>/history), laid out for paper, then the print
// dialog. Every value is inserted as text, never as HTML.

import { describeEntry } from "./entries.js";

const $ = (id) => document.getElementById(id);

export function clock(at) {
  const d = new Date(at * 1000);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** Visitor, operators, opened/closed: the facts above the entries. */
export function factsOf(entries) {
  const opened = entries.find((e) => e.type === "dialog.opened");
  const closed = entries.find((e) => e.type === "dialog.closed");
  const operators = [];
  for (const e of entries) {
    const name = e.type === "dialog.assigned" ? e.operator_name : e.type === "dialog.transferred" ? e.to_name : null;
    if (name && !operators.includes(name)) operators.push(name);
  }
  const facts = [["Visitor", (opened && opened.visitor_name) || "—"]];
  for (const [key, value] of Object.entries((opened && opened.info) || {})) facts.push([key, String(value)]);
  facts.push(["Operators", operators.join(", ") || "—"]);
  facts.push(["Opened", opened ? clock(opened.at) : "—"]);
  facts.push(["Closed", closed ? clock(closed.at) : "still open"]);
  return facts;
}

/** One entry as [time, who, text]; files by their names only. */
export function lineOf(entry) {
  if (entry.type === "dialog.message") return [clock(entry.at), entry.name || entry.author, entry.plain || entry.text || ""];
  if (entry.type === "dialog.file") { // docs/protocol.md, "dialog.file": `file` is its id
    return [clock(entry.at), entry.author_name || entry.author, `File: ${entry.name}`];
  }
  if (entry.file) {
    const file = entry.file || entry;
    return [clock(entry.at), entry.name || "", `File: ${file.file_name || file.filename || file.name || "(unnamed)"}`];
  }
  const text = describeEntry(entry, clock);
  return text === null ? null : [clock(entry.at), "", text];
}

/** An outbox row as one line: "transcript to a@b: sent (1 try)". */
export function mailLine(mail) {
  const tries = mail.attempts === 1 ? "1 try" : `${mail.attempts} tries`;
  const outcome = mail.status === "queued" ? "queued" : `${mail.status} (${tries})`;
  return `${mail.kind} to ${mail.to}: ${outcome}${mail.error ? ` — ${mail.error}` : ""}`;
}

export function render(dialogId, data) {
  const entries = Array.isArray(data.entries) ? data.entries : [];
  $("title").textContent = `Dialog ${dialogId}`;
  document.title = `Dialog ${dialogId} — print — frontdesk`;
  const facts = factsOf(entries);
  for (const mail of Array.isArray(data.mails) ? data.mails : []) facts.push(["Mail", mailLine(mail)]);
  $("facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const rows = [];
  for (const entry of entries) {
    const line = lineOf(entry);
    if (line === null) continue;
    const [at, who, text] = line;
    const kind = entry.type === "dialog.message" ? `msg ${entry.author}` : "sys";
    rows.push(
      el("li", { class: kind, "data-testid": "print-entry", "data-kind": entry.type },
        el("time", {}, at), who ? el("span", { class: "who" }, who) : null, el("span", { class: "text" }, text)),
    );
  }
  $("entries").replaceChildren(...rows);
}

async function main() {
  const match = location.pathname.match(/^\/dialogs\/([^/]+)\/print$/);
  const dialogId = match ? decodeURIComponent(match[1]) : "";
  const problem = $("problem");
  try {
    const response = await fetch(`/api/dialogs/${encodeURIComponent(dialogId)}/history`, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) {
      problem.textContent = (body && body.error && body.error.message) || `the server answered ${response.status}`;
      problem.hidden = false;
      return;
    }
    render(dialogId, body);
    document.body.dataset.ready = "true";
    window.print();
  } catch {
    problem.textContent = "The server is unreachable.";
    problem.hidden = false;
  }
}

main();
