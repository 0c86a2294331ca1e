// The manager view's Audit section: every step-in (GET /api/audit, computed from the
// journal), newest first. Fetched when the page starts and again, debounced, after each
// frame that is a step-in (the server's list is the truth: who, what, when).

import { h, replaceChildren, setText } from "../dom.js";
import { formatClock } from "../time.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 300;
const SHOWN = 50;

const WHAT = {
  internal: (e) => `internal message in ${e.dialog}`,
  say: (e) => `wrote to the visitor of ${e.dialog}`,
  take_over: (e) => `took over ${e.dialog} for ${e.to}`,
  help_ack: (e) => `acknowledged the help request of ${e.dialog}`,
  help_resolve: (e) => `resolved the help request of ${e.dialog}`,
  operator_internal: (e) => `internal message to ${e.operator}`,
};

/** Whether `frame` is a step-in the audit lists (then the list is fetched again). */
export function isStepIn(frame) {
  switch (frame.type) {
    case "dialog.internal":
    case "dialog.message":
    case "operator.internal":
      return frame.author === "manager";
    case "dialog.help_acked":
    case "dialog.help_resolved":
      return true;
    case "dialog.transferred":
      return typeof frame.note === "string" && frame.note.startsWith("taken over by");
    default:
      return false;
  }
}

export class AuditList {
  constructor() {
    this.timer = null;
    this.fetches = 0; // GET /api/audit made (a test reads it)
  }

  /** Fetch the list again soon (several step-ins at once: one fetch). */
  refresh() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.load();
    }, DEBOUNCE_MS);
  }

  async load() {
    this.fetches += 1;
    try {
      const response = await fetch("/api/audit", { credentials: "same-origin" });
      if (response.ok) this.render((await response.json()).entries || []);
    } catch {
      // offline: the next step-in or reconnect fetches it again
    }
  }

  render(entries) {
    const shown = entries.slice(0, SHOWN);
    setText($("audit-count"), entries.length);
    replaceChildren(
      $("audit"),
      shown.map((e) => {
        const what = Object.hasOwn(WHAT, e.action) ? WHAT[e.action](e) : e.action;
        return h(
          "li",
          { "data-testid": "audit-item", "data-action": e.action },
          h("time", {}, formatClock(e.at)),
          ` ${e.name || e.by} ${what}`,
          e.text ? `: ${e.text}` : "",
        );
      }),
    );
    setText($("audit-empty"), entries.length ? "" : "No step-ins yet.");
  }
}
