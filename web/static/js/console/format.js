// The answer box's formatting: a toolbar, Ctrl+B / Ctrl+I / Ctrl+K, and a link dialog.
//
// It writes the markdown subset the server renders (adapters/text): **bold**,
// *italic*, `code`, "- " and "1. " list lines, [text](url). The edits are pure
// functions of (value, selection) -> (value, selection), so they are the same
// whether a button, a shortcut or the link dialog asks for them.

import { safeHref } from "../rich.js";

/** Wrap the selection in `marker` (or insert marker+placeholder+marker, placeholder selected). */
export function wrap(value, start, end, marker, placeholder) {
  const inner = value.slice(start, end) || placeholder;
  const next = value.slice(0, start) + marker + inner + marker + value.slice(end);
  return { value: next, start: start + marker.length, end: start + marker.length + inner.length };
}

/** Make the lines the selection touches a bulleted or a numbered list. */
export function listLines(value, start, end, numbered) {
  const from = value.lastIndexOf("\n", start - 1) + 1;
  let to = value.indexOf("\n", end);
  if (to === -1) to = value.length;
  const lines = value.slice(from, to).split("\n");
  const made = lines
    .map((line, i) => `${numbered ? `${i + 1}. ` : "- "}${line.replace(/^(\s*)([-*+]|\d+[.)])\s+/, "$1")}`)
    .join("\n");
  const next = value.slice(0, from) + made + value.slice(to);
  return { value: next, start: from, end: from + made.length };
}

/** The URL as a markdown link target: http(s) or mailto, `www.x` taken as https; null if not. */
export function linkTarget(raw) {
  let url = raw.trim();
  if (!url) return null;
  if (/^www\./i.test(url)) url = `https://${url}`;
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(url)) url = `mailto:${url}`;
  const href = safeHref(url);
  return href === null ? null : href.replace(/[()\s]/g, (c) => encodeURIComponent(c));
}

/** Replace the selection with [text](url); the text defaults to the URL. */
export function insertLink(value, start, end, text, href) {
  const label = (text.trim() || href).replace(/[[\]\\]/g, (c) => `\\${c}`);
  const made = `[${label}](${href})`;
  const next = value.slice(0, start) + made + value.slice(end);
  return { value: next, start: start + made.length, end: start + made.length };
}

const ACTIONS = {
  bold: (v, s, e) => wrap(v, s, e, "**", "bold text"),
  italic: (v, s, e) => wrap(v, s, e, "*", "italic text"),
  code: (v, s, e) => wrap(v, s, e, "`", "code"),
  bullets: (v, s, e) => listLines(v, s, e, false),
  numbers: (v, s, e) => listLines(v, s, e, true),
};
const SHORTCUTS = { b: "bold", i: "italic" };

/** Wire the toolbar (buttons with data-format), the shortcuts and the link dialog. */
export function wireFormatting({ input, toolbar, dialog, form, text, url, error, cancel }) {
  const apply = (edit) => {
    const done = edit(input.value, input.selectionStart, input.selectionEnd);
    input.value = done.value;
    input.focus();
    input.setSelectionRange(done.start, done.end);
    input.dispatchEvent(new Event("input", { bubbles: true })); // the typing indicator
  };
  let selection = [0, 0];
  const openLink = () => {
    selection = [input.selectionStart, input.selectionEnd];
    text.value = input.value.slice(selection[0], selection[1]);
    url.value = "";
    error.hidden = true;
    dialog.showModal();
    (text.value ? url : text).focus();
  };
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-format]");
    if (!button) return;
    const name = button.dataset.format;
    if (name === "link") openLink();
    else apply(ACTIONS[name]);
  });
  input.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const key = event.key.toLowerCase();
    if (key === "k") {
      event.preventDefault();
      openLink();
    } else if (SHORTCUTS[key]) {
      event.preventDefault();
      apply(ACTIONS[SHORTCUTS[key]]);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const href = linkTarget(url.value);
    if (href === null) {
      error.textContent = `Expected an http, https or mailto address, got "${url.value.trim()}".`;
      error.hidden = false;
      url.focus();
      return;
    }
    dialog.close();
    input.setSelectionRange(selection[0], selection[1]);
    apply((v, s, e) => insertLink(v, s, e, text.value, href));
  });
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => input.focus()); // Esc closes it too (a modal dialog)
}
