// The console's banner after a failover: the main node is back; return to it.
//
// The node this page came from is "main" (the page's own origin, so a plain fetch
// of its /healthz is allowed by the CSP). While the console runs on the other node:
//  - main is primary again: the banner offers to go to it now;
//  - main is a caught-up backup: the banner says so and, to whoever may do it (a
//    manager always; an operator when cluster.operators_may_switch_back, asked of
//    main at GET /api/cluster/switch-back), offers "Return to main": a POST of
//    /api/cluster/switchover to the node that is primary now, with the session
//    cookie (never a password). That node answers with CORS headers for this
//    origin, so the result — done, or refused with the server's reason — is shown.
//    After a switch back the console follows by itself (the old primary closes its
//    sockets; the link goes to main).

import { h, replaceChildren } from "../dom.js";

export const MAIN_NODE_POLL_MS = 5000;

export class MainBackBanner {
  /**
   * @param {HTMLElement} banner  the #banner element (role=status)
   * @param {import("../link.js").Link} link
   */
  constructor(banner, link) {
    this.banner = banner;
    this.link = link;
    this.main = location.origin;
    this.probing = false;
    this.busy = false;
    this.permission = null; // {allowed, why} from main, asked once
    this.result = null; // the last switch back's outcome, shown until the console is on main
  }

  start() {
    setInterval(() => this.check(), MAIN_NODE_POLL_MS);
  }

  async check() {
    if (!this.link.connected || this.link.url === this.main) {
      if (this.banner.dataset.kind === "main-back") this.banner.hidden = true;
      this.result = null;
      return;
    }
    if (this.probing || this.busy) return;
    this.probing = true;
    let health = null;
    try {
      const response = await fetch("/healthz", { cache: "no-store" });
      health = await response.json();
    } catch {
      health = null; // main is still down
    } finally {
      this.probing = false;
    }
    if (health && health.role === "primary" && health.ready) {
      this.show("The main node is back.", "Go to it", () => {
        this.banner.hidden = true;
        this.link.reconnectTo(this.main);
      });
    } else if (health && health.role === "backup" && health.caught_up) {
      await this.offerSwitchBack(health);
    }
  }

  async offerSwitchBack(health) {
    const may = await this.mayISwitchBack();
    const text = this.result || (may.allowed
      ? "The main node is back and in sync. You can return the chat to it; your dialogs follow by themselves."
      : "The main node is back and in sync. A manager can return the chat to it; your dialogs will follow by themselves.");
    if (may.allowed && health.primary_url) {
      this.show(text, "Return to main", () => this.switchBack(health.primary_url));
    } else {
      this.show(text);
    }
  }

  async mayISwitchBack() {
    if (this.permission !== null) return this.permission;
    try {
      const response = await fetch("/api/cluster/switch-back", { credentials: "same-origin", cache: "no-store" });
      const body = response.ok ? await response.json() : null;
      this.permission = body && typeof body.allowed === "boolean" ? body : { allowed: false, why: "" };
    } catch {
      return { allowed: false, why: "" }; // main did not answer: ask again at the next poll
    }
    return this.permission;
  }

  async switchBack(primaryUrl) {
    if (this.busy) return;
    let target;
    try {
      target = new URL("/api/cluster/switchover", primaryUrl);
    } catch {
      this.result = `Cannot return to main: the primary's address ${primaryUrl} is not a URL.`;
      return;
    }
    this.busy = true;
    this.show("Returning the chat to the main node…");
    try {
      const response = await fetch(target.href, { method: "POST", credentials: "include", cache: "no-store" });
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (response.ok) {
        this.result = "Done: the main node takes over; your dialogs follow by themselves.";
      } else {
        const why = body && body.error ? body.error.message || body.error.code : `HTTP ${response.status}`;
        this.result = `The switch back was refused: ${why}`;
      }
    } catch {
      this.result = `Cannot reach ${target.origin} to switch back.`;
    } finally {
      this.busy = false;
    }
    this.show(this.result, this.result.startsWith("Done") ? null : "Try again", () => this.switchBack(primaryUrl));
  }

  show(text, actionLabel = null, action = null) {
    // Rebuilt only when it changes, so a focused button keeps the focus between polls.
    const sig = `${text}|${actionLabel || ""}`;
    if (this.banner.dataset.sig === sig && !this.banner.hidden) return;
    this.banner.dataset.sig = sig;
    this.banner.dataset.kind = "main-back";
    replaceChildren(
      this.banner,
      h("span", { "data-testid": "banner-text" }, text),
      actionLabel ? h("button", { type: "button", "data-testid": "banner-action", onclick: action }, actionLabel) : null,
    );
    this.banner.hidden = false;
  }
}
