// One renderer of dialog-history entries for every page (widget, console, manager, print).
//
// `describe(entry, options)` says what an entry is for an audience (history/kinds.js: one
// function per kind — add a new kind there, nowhere else); `renderEntry(entry, options)`
// makes its <li> in a page's look (history/skins.js), `renderGap(options)` the line for a
// discontinuity (earlier history gone). Options: {visitor: boolean (the visitor's wording),
// skin: a SKINS entry, clock: at -> text, visitorName, files: {server, token} for file links}. Text goes in as text only (dom.h);
// a message's server-rendered HTML through rich.js's allowlist rebuild, never innerHTML.

import { h } from "../dom.js";
import { formatClock } from "../time.js";
import { KINDS, gapNote } from "./kinds.js";
import { SKINS } from "./skins.js";

function contextOf(options) {
  return {
    visitor: Boolean(options.visitor),
    clock: options.clock || formatClock,
    visitorName: options.visitorName || "",
    files: options.files || null, // {server, token}: where a dialog.file's bytes are (default: this page's origin)
  };
}

/** What `entry` is for this audience: a note, a said line, or null (not shown). */
export function describe(entry, options = {}) {
  const kind = Object.hasOwn(KINDS, entry.type) ? KINDS[entry.type] : null;
  return kind ? kind(entry, contextOf(options)) : null;
}

/** The plain text of a note (null for anything else): what a print-out or a log line says. */
export function noteText(entry, options = {}) {
  const line = describe(entry, options);
  return line && line.form === "note" ? line.text : null;
}

function noteView(line, attrs, skin) {
  const tone = line.tone ? ` ${skin.p}${line.tone}` : "";
  return h("li", { ...attrs, class: `${skin.note}${tone}`, "data-testid": skin.noteId }, line.text);
}

function saidView(entry, line, attrs, skin, ctx) {
  return h(
    "li",
    { ...attrs, class: `${skin.p}msg ${skin.p}${line.author}`, "data-testid": skin.msgId, "data-author": line.author },
    h("span", { class: `${skin.p}who` }, line.who, h("time", {}, ctx.clock(entry.at))),
    h("span", { class: `${skin.p}text`, "data-testid": skin.textId }, line.body),
  );
}

/** The <li> showing `entry` in `options.skin`'s look, or null when this audience is not shown it. */
export function renderEntry(entry, options = {}) {
  const line = describe(entry, options);
  if (line === null) return null;
  const skin = options.skin || SKINS.console;
  const attrs = { "data-seq": entry.seq, "data-kind": entry.type };
  return line.form === "said" ? saidView(entry, line, attrs, skin, contextOf(options)) : noteView(line, attrs, skin);
}

/** The <li> saying that earlier history is gone (a resync found it no longer kept). */
export function renderGap(options = {}) {
  const skin = options.skin || SKINS.console;
  return noteView(gapNote(contextOf(options)), { "data-kind": "gap" }, skin);
}

export { SKINS };
