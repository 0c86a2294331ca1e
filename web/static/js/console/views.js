// Rendering of the console: the tab list, the open dialog's history, the
// visitor-information panel. Data goes in as text only (dom.h / setText).

import { h, replaceChildren, setText } from "../dom.js";
import { SKINS, renderEntry, renderGap } from "../history/render.js";
import { formatClock, formatDuration, nowSeconds } from "../time.js";

const LONG_WAIT_S = 60;

/** Seconds the visitor has been waiting for an answer, or null. */
const PRESENCE_WORDS = { here: "here", away: "away", left: "left" };

/** The visitor's presence in a tab (nothing when unknown or once the dialog is over). */
function presenceBadge(dialog) {
  const word = PRESENCE_WORDS[dialog.visitorPresence];
  if (!word || dialog.closed || dialog.gone) return null;
  return h(
    "span",
    {
      class: `tab-presence ${word}`,
      "data-testid": "tab-presence",
      "data-presence": word,
      title: presenceSentence(dialog),
    },
    word,
  );
}

/** "Vera is here" / "Vera is away (page not in view)" / "Vera has left (no connection)". */
export function presenceSentence(dialog) {
  const name = dialog.visitorName || "The visitor";
  if (dialog.visitorPresence === "here") return `${name} is here`;
  if (dialog.visitorPresence === "away") return `${name} is away (page not in view)`;
  if (dialog.visitorPresence === "left") return `${name} has left (no connection)`;
  return "";
}

export function waitingSeconds(dialog, now = nowSeconds()) {
  if (dialog.gone || dialog.closed) return null;
  const since = dialog.transcript.waitingSince();
  return since === null ? null : Math.max(0, now - since);
}

function tabView(dialog, model, onSelect, onDismiss) {
  const wait = waitingSeconds(dialog);
  const classes = ["tab"];
  if (dialog.flashing) classes.push("flash");
  if (dialog.id === model.openId) classes.push("open");
  if (dialog.gone) classes.push("gone");
  if (dialog.important) classes.push("important");
  const transfer = dialog.transferredFromName
    ? h(
        "span",
        { class: "tab-transfer", "data-testid": "tab-transfer", title: dialog.note || "" },
        h("span", { class: "arrow", "aria-hidden": "true" }, "⇄ "),
        h("span", { "data-testid": "tab-transfer-from" }, `from ${dialog.transferredFromName}`),
        dialog.note ? h("span", { class: "tab-note", "data-testid": "tab-transfer-note" }, dialog.note) : null,
      )
    : null;
  const li = h(
    "li",
    {
      class: classes.join(" "),
      "data-testid": "tab",
      "data-dialog": dialog.id,
      "data-flashing": dialog.flashing ? "true" : "false",
      tabindex: 0,
      role: "tab",
      "aria-selected": dialog.id === model.openId ? "true" : "false",
    },
    h(
      "div",
      { class: "tab-line" },
      dialog.important ? h("span", { class: "star", title: "Important", "data-testid": "tab-important" }, "★") : null,
      h("span", { class: "tab-name", "data-testid": "tab-name" }, dialog.visitorName || "Visitor"),
      presenceBadge(dialog),
      dialog.unread && !dialog.gone
        ? h(
            "span",
            { class: "tab-unread", "data-testid": "tab-unread", "data-unread": String(dialog.unread), title: `${dialog.unread} unread` },
            String(dialog.unread),
            h("span", { class: "sr-only" }, ` unread message${dialog.unread === 1 ? "" : "s"}`),
          )
        : null,
      dialog.internalUnread
        ? h("span", { class: "tab-internal", "data-testid": "tab-internal-unread", title: "Unread internal messages" }, `✉ ${dialog.internalUnread}`)
        : null,
      h(
        "span",
        {
          class: `tab-wait${wait !== null && wait >= LONG_WAIT_S ? " long" : ""}`,
          "data-testid": "tab-wait",
          "data-waiting": wait === null ? "" : String(Math.floor(wait)),
        },
        wait === null ? "" : formatDuration(wait),
      ),
    ),
    transfer,
    dialog.gone
      ? h(
          "div",
          { class: "tab-gone" },
          h("span", {}, dialog.closed ? "closed" : dialog.gone),
          h(
            "button",
            {
              type: "button",
              class: "dismiss",
              "data-testid": "tab-dismiss",
              "aria-label": "Remove tab",
              onclick: (event) => {
                event.stopPropagation();
                onDismiss(dialog.id);
              },
            },
            "×",
          ),
        )
      : null,
  );
  li.addEventListener("click", () => onSelect(dialog.id));
  li.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") onSelect(dialog.id);
  });
  return li;
}

export function renderTabs(list, empty, model, onSelect, onDismiss) {
  const dialogs = model.tabOrder; // newest first
  replaceChildren(list, dialogs.map((d) => tabView(d, model, onSelect, onDismiss)));
  empty.hidden = dialogs.length > 0;
}

/** Refresh only the waiting times (each second), without rebuilding the tabs. */
export function tickWaits(list, model) {
  const now = nowSeconds();
  for (const span of list.querySelectorAll("[data-testid=tab-wait]")) {
    const tab = span.closest("[data-dialog]");
    const dialog = tab ? model.dialogs.get(tab.dataset.dialog) : null;
    if (!dialog) continue;
    const wait = waitingSeconds(dialog, now);
    setText(span, wait === null ? "" : formatDuration(wait));
    span.dataset.waiting = wait === null ? "" : String(Math.floor(wait));
    span.classList.toggle("long", wait !== null && wait >= LONG_WAIT_S);
  }
}

const LOOK = { skin: SKINS.console, clock: formatClock };

function pendingView(frame, me) {
  return h(
    "li",
    { class: "msg operator pending", "data-testid": "msg-pending", "data-ref": frame.ref },
    h("span", { class: "who" }, me.name, h("time", {}, "sending…")),
    h("span", { class: "text" }, frame.text),
  );
}

/** A message the server refused for good: shown with the reason until dismissed. */
function failedView(frame, reason, me, onDismiss) {
  return h(
    "li",
    { class: "msg operator failed", "data-testid": "msg-failed", "data-ref": frame.ref },
    h("span", { class: "who" }, me.name, h("time", {}, "not sent")),
    h("span", { class: "text" }, frame.text),
    h("span", { class: "reason", "data-testid": "msg-failed-reason" }, `Not sent: ${reason}`),
    h("button", { type: "button", class: "dismiss-failed", "data-testid": "msg-dismiss", onclick: () => onDismiss(frame.ref) }, "Dismiss"),
  );
}

/**
 * @param {{frame: object, failed: string | null}[]} outbox  this dialog's unsent messages
 * @param {(ref: string) => void} onDismiss  forget a failed one
 */
export function renderHistory(list, dialog, me, outbox = [], onDismiss = () => {}) {
  const items = [];
  if (dialog.historyGone) items.push(renderGap(LOOK));
  for (const entry of dialog.transcript.entries) {
    if (entry.type !== "dialog.internal") items.push(renderEntry(entry, LOOK)); // the Internal tab's
  }
  const posted = new Set(dialog.transcript.find("dialog.message").map((e) => e.ref));
  for (const { frame, failed } of outbox) {
    if (posted.has(frame.ref)) continue;
    items.push(failed === null ? pendingView(frame, me) : failedView(frame, failed, me, onDismiss));
  }
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  replaceChildren(list, items);
  if (atBottom || list.dataset.dialog !== dialog.id) list.scrollTop = list.scrollHeight;
  list.dataset.dialog = dialog.id;
}

/** "customer_id" -> "Customer id": a label for an info key the settings do not name. */
function keyLabel(key) {
  const words = key.replaceAll("_", " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

/** The visitor panel: the configured fields first (in order), then any other info. */
export function renderInfo(dl, dialog, fields, node) {
  if (!dialog) {
    replaceChildren(dl, h("dd", { class: "muted" }, "No dialog selected."));
    return;
  }
  const info = dialog.info;
  const rows = [["Name", dialog.visitorName || "—", "name"]];
  const known = new Set();
  for (const field of fields) {
    known.add(field.key);
    rows.push([field.label || field.key, info[field.key] || "—", field.key]);
  }
  for (const [key, value] of Object.entries(info)) {
    if (!known.has(key)) rows.push([keyLabel(key), value, key]);
  }
  if (dialog.openedAt) rows.push(["Opened", formatClock(dialog.openedAt), "opened"]);
  rows.push(["Dialog", dialog.id, "dialog"]);
  if (node) rows.push(["Node", node, "node"]);
  replaceChildren(
    dl,
    rows.map(([label, value, key]) => [
      h("dt", {}, label),
      h("dd", { "data-testid": `info-${key}` }, String(value)),
    ]),
  );
}
