// "Return to main node": the manager view's control of a cluster's primary role.

import { setText } from "../dom.js";

const CLUSTER_POLL_MS = 5000;
const SWITCHOVER_WATCH_MS = 20_000;
const SWITCHOVER_STEP_MS = 500;
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Return to main node": the node this page came from (its origin, the main node) takes
 * the primary role back from its peer after a failover.
 *
 * It starts only when /api/config lists more than one node. GET /api/cluster on the
 * page's own node then tells whether it is a cluster node (404: not one, and the control
 * stays hidden) and its role. The button shows while that node is a
 * caught-up backup with its link up. It posts /api/cluster/switchover to the primary (the
 * node's `primary_url`) with the session cookie, which the primary accepts too (signed
 * sessions, docs/failover.md). When the primary is the page's own origin its answer is
 * shown as is; when it is another origin the answer is opaque to the page (the primary
 * sends no CORS headers: the request goes as `no-cors`), so the page watches its own
 * node's /api/cluster until that node reports itself primary, and shows that.
 */
export class ClusterControl {
  constructor(banner) {
    this.banner = banner;
    this.health = null;
    this.busy = false;
  }

  async start() {
    $("switchover").addEventListener("click", () => this.switchover());
    await this.refresh();
  }

  /** {absent: true} on 404, {health} on 200, null when the node did not answer. */
  async fetchHealth() {
    try {
      const response = await fetch("/api/cluster", { credentials: "same-origin", cache: "no-store" });
      if (response.status === 404) return { absent: true };
      if (!response.ok) return null;
      return { health: await response.json() };
    } catch {
      return null;
    }
  }

  async refresh() {
    const got = await this.fetchHealth();
    if (got && got.absent) {
      $("cluster").hidden = true;
      $("switchover").hidden = true;
      return; // not a cluster: nothing to poll
    }
    this.health = got ? got.health : null;
    this.render();
    setTimeout(() => this.refresh(), CLUSTER_POLL_MS);
  }

  render() {
    const pill = $("cluster");
    const button = $("switchover");
    const health = this.health;
    pill.hidden = false;
    if (!health) {
      pill.className = "pill bad";
      pill.dataset.role = "";
      setText(pill, "Main node unreachable");
      button.hidden = true;
      return;
    }
    pill.className = `pill ${health.role === "primary" ? "ok" : "warn"}`;
    pill.dataset.role = health.role;
    setText(pill, `Main node: ${health.role}, epoch ${health.epoch}`);
    button.hidden = !(health.role === "backup" && health.link === "up" && health.caught_up && health.primary_url);
    button.disabled = this.busy;
  }

  async switchover() {
    const health = this.health;
    if (this.busy || !health || !health.primary_url) return;
    let target;
    try {
      target = new URL("/api/cluster/switchover", health.primary_url);
      target.protocol = target.protocol === "wss:" ? "https:" : target.protocol === "ws:" ? "http:" : target.protocol;
    } catch {
      this.banner(`Cannot switch over: the primary's address ${health.primary_url} is not a URL.`);
      return;
    }
    this.busy = true;
    this.render();
    this.banner(`Asking ${target.origin} to hand the primary role back to this node…`);
    try {
      if (target.origin === location.origin) {
        await this.switchoverHere(target);
      } else {
        // The answer of another origin is opaque to the page (no CORS headers): send the
        // request (with the cookie) and watch this node take the role.
        await fetch(target.href, { method: "POST", mode: "no-cors", credentials: "include", cache: "no-store" });
        await this.watchForPrimary(target.origin);
      }
    } catch {
      this.banner(`Cannot reach ${target.origin} to switch over.`);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  async switchoverHere(target) {
    const response = await fetch(target.href, { method: "POST", credentials: "same-origin", cache: "no-store" });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) {
      this.banner(`Switchover done: this node is now ${body && body.role ? body.role : "backup"}.`);
    } else {
      const message = body && body.error ? body.error.message || body.error.code : `HTTP ${response.status}`;
      this.banner(`Switchover refused: ${message}`);
    }
  }

  async watchForPrimary(primaryOrigin) {
    const deadline = Date.now() + SWITCHOVER_WATCH_MS;
    while (Date.now() < deadline) {
      const got = await this.fetchHealth();
      if (got && got.health) {
        this.health = got.health;
        if (got.health.role === "primary") {
          this.banner(`Switchover done: this node is primary again (epoch ${got.health.epoch}).`);
          return;
        }
      }
      await sleep(SWITCHOVER_STEP_MS);
    }
    this.banner(
      `The switchover did not happen: this node is still ${this.health ? this.health.role : "unreachable"}. ` +
        `Is ${primaryOrigin} up and this session a manager's there? (frontdesk switchover --node ${primaryOrigin} shows the reason)`,
    );
  }
}
