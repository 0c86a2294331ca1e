// The Internal tab of the open dialog: the conversation with the managers about it
// (dialog.internal entries and the help request's lines, never the visitor's), its unread
// count, the box to answer, and the help request's state (a manager is on it) with Resolve.
// Entries are rendered by history/render.js (kinds.js), like every other entry.

import { replaceChildren, setText } from "../dom.js";
import { SKINS, renderEntry } from "../history/render.js";
import { formatClock } from "../time.js";
import { newRef } from "../transcript.js";

const $ = (id) => document.getElementById(id);
const LOOK = { skin: SKINS.console, clock: formatClock };

/**
 * @param {() => any} openDialog  the dialog shown (a DialogState) or null
 * @param {(frame: object) => void} send  send a command (kept until answered)
 * @param {() => void} changed  re-render the page
 */
export function wireInternal(openDialog, send, changed) {
  const toggle = $("internal-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    $("internal-body").hidden = !open;
    if (open) $("internal-text").focus();
    changed();
  });
  const submit = () => {
    const dialog = openDialog();
    const text = $("internal-text").value.trim();
    if (!dialog || dialog.gone || !text) return;
    send({ type: "internal", dialog: dialog.id, text, ref: newRef("internal") });
    $("internal-text").value = "";
  };
  $("help-resolve").addEventListener("click", () => {
    const dialog = openDialog();
    if (dialog && !dialog.gone) send({ type: "help_resolve", dialog: dialog.id, ref: newRef("hres") });
  });
  $("internal-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  $("internal-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
}

/** The help request's state: waiting for a manager, or who is on it; and its Resolve button. */
function renderHelp(help, held) {
  const line = help === null ? "" : help.state === "acked" ? `${help.name} is on your help request.` : "Help requested: waiting for a manager.";
  $("help-state").hidden = help === null;
  $("help-state").dataset.state = help ? help.state : "";
  if ($("help-status").textContent !== line) setText($("help-status"), line);
  $("help-resolve").disabled = !held;
}

/** Show the open dialog's internal conversation; true if reading it changed the unread count. */
export function renderInternal(dialog) {
  const open = $("internal-toggle").getAttribute("aria-expanded") === "true";
  const read = open && dialog.readInternal();
  const unread = dialog.internalUnread;
  const badge = $("internal-unread");
  badge.hidden = unread === 0;
  setText(badge, String(unread));
  $("internal-toggle").setAttribute("aria-label", unread ? `Internal messages, ${unread} unread` : "Internal messages");
  const list = $("internal-history");
  replaceChildren(list, dialog.internal.map((e) => renderEntry(e, LOOK)));
  list.scrollTop = list.scrollHeight;
  const held = !dialog.gone && !dialog.closed;
  $("internal-text").disabled = !held;
  $("internal-send").disabled = !held;
  setText($("internal-empty"), dialog.internal.length ? "" : "No internal messages about this dialog yet.");
  renderHelp(dialog.help, held);
  return read;
}
