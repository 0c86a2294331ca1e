// The manager view's "Offline messages" (docs/protocol.md, "Offline messages"): what
// visitors left in the widget's offline form, unhandled first; "Mark handled" on each.
// Read from GET /api/offline/messages at load, on "Refresh" and every POLL_MS.

import { h, replaceChildren, setText } from "../dom.js";
import { formatClock } from "../time.js";

const POLL_MS = 30000;
const $ = (id) => document.getElementById(id);

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `the server answered ${response.status}`;
}

function item(message, markHandled) {
  const when = formatClock(message.created_at);
  return h(
    "li",
    { class: `offline-item${message.handled ? " handled" : ""}`, "data-testid": "offline-item", "data-id": message.id },
    h(
      "div",
      { class: "row" },
      h("strong", { "data-testid": "offline-name" }, message.name),
      h("a", { href: `mailto:${message.email}`, "data-testid": "offline-email" }, message.email),
      h("time", { class: "muted" }, when),
      message.handled
        ? h("span", { class: "pill ok", "data-testid": "offline-handled" }, `Handled by ${message.handled_by}`)
        : h("button", { type: "button", "data-testid": "offline-mark", onclick: () => markHandled(message.id) }, "Mark handled"),
    ),
    h("p", { class: "offline-text", "data-testid": "offline-text" }, message.message),
  );
}

class OfflineMessages {
  constructor() {
    this.list = $("offline-list");
    this.count = $("offline-count");
    this.status = $("offline-status");
  }

  async load() {
    try {
      const response = await fetch("/api/offline/messages", { credentials: "same-origin" });
      if (!response.ok) {
        setText(this.status, `Could not list the offline messages: ${await errorOf(response)}.`);
        return;
      }
      const { messages } = await response.json();
      replaceChildren(this.list, messages.map((m) => item(m, (id) => this.markHandled(id))));
      setText(this.count, messages.filter((m) => !m.handled).length);
      setText(this.status, messages.length ? "" : "No offline messages.");
    } catch {
      setText(this.status, "Could not list the offline messages: the server is unreachable.");
    }
  }

  async markHandled(id) {
    try {
      const response = await fetch(`/api/offline/messages/${encodeURIComponent(id)}/handled`, {
        method: "POST", credentials: "same-origin",
      });
      if (!response.ok) setText(this.status, `Not marked: ${await errorOf(response)}.`);
    } catch {
      setText(this.status, "Not marked: the server is unreachable.");
    }
    await this.load();
  }
}

const section = new OfflineMessages();
$("offline-refresh").addEventListener("click", () => section.load());
section.load();
setInterval(() => section.load(), POLL_MS);
